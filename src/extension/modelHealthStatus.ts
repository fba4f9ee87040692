import * as vscode from 'vscode';

/**
 * The status bar item for the health of the served model. Serving does not exist yet, so it says exactly that;
 * clicking it always leads to the Models view, where a model can be chosen.
 */
export class ModelHealthStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mlops.modelHealth', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = vscode.l10n.t('MLOps Model Health');
    this.item.command = 'mlops.focusModels';
    this.showNoModel();
    this.item.show();
  }

  private showNoModel(): void {
    this.item.text = `$(circle-slash) ${vscode.l10n.t('MLOps: no model served')}`;
    this.item.tooltip = vscode.l10n.t('No model is being served. Click to open the Models view.');
    this.item.accessibilityInformation = { label: vscode.l10n.t('MLOps: no model served') };
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
