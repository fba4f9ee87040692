import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, eventually, EXTENSION_ID, workspaceRoot } from './helpers';

suite('MLOps Workbench in a real extension host', () => {
  test('activates, reports its activation time, and registers every command it declares', async () => {
    const api = await activateExtension();
    assert.ok(api.activationMs > 0, `activationMs = ${api.activationMs}`);
    if (process.env.MLOPS_EXT_METRICS) fs.appendFileSync(process.env.MLOPS_EXT_METRICS, `activationMs=${api.activationMs}\n`);
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'declared in package.json but not registered');
  });

  test('shows no project and no model before initialization', async () => {
    const api = await activateExtension();
    assert.equal(api.project.root, undefined);
    assert.match(api.status.text, /no model served/);
    // every command refuses the same way without a project
    assert.throws(() => api.project.requireProject(), (err: Error & { code?: string }) => err.code === 'NO_PROJECT' && /No MLOps project is open/.test(err.message));
    assert.equal(await api.project.store(), undefined);
  });

  test('"Create Sample Project" creates the project and the views show its dataset', async () => {
    const api = await activateExtension();
    const root = workspaceRoot().fsPath;
    const created = await vscode.commands.executeCommand<string>('mlops.initSampleProject');
    assert.equal(created, root);
    assert.ok(fs.existsSync(path.join(root, 'mlops.yaml')));
    assert.equal(fs.readFileSync(path.join(root, 'data', 'weather.csv'), 'utf8').split('\n')[0], 'location,date,precipitation,temp_max,temp_min,wind,weather');
    await eventually(() => api.project.config?.datasets?.weather, 'the project watcher to read mlops.yaml');
    // one metadata store for the project, shared by every view and command
    const store = await eventually(() => api.project.store(), 'the project\'s metadata store to open');
    assert.equal(await api.project.store(), store);
    assert.equal(store.paths.root, root);
    // the command opens mlops.yaml for the user to read next
    await eventually(() => vscode.window.activeTextEditor?.document.uri.fsPath === path.join(root, 'mlops.yaml'), 'mlops.yaml to open');
  });

  test('initializing again changes nothing', async () => {
    const root = workspaceRoot().fsPath;
    const before = fs.readFileSync(path.join(root, 'mlops.yaml'), 'utf8');
    await vscode.commands.executeCommand('mlops.initProject');
    assert.equal(fs.readFileSync(path.join(root, 'mlops.yaml'), 'utf8'), before);
  });

  test('a mistake typed into mlops.yaml appears in the Problems panel at its line, and goes away when fixed', async () => {
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'mlops.yaml');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.getText().split('\n').findIndex((l) => l.startsWith('  metric:'));
    assert.ok(line > 0, 'the sample declares training.metric');
    const original = doc.lineAt(line).text;
    await editor.edit((e) => e.replace(doc.lineAt(line).range, '  metric: accurracy'));
    // Errors only: the sample's features carry a warning until their source dataset has a version to check against.
    const errors = () => vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'mlops' && x.severity === vscode.DiagnosticSeverity.Error);
    const problems = await eventually(() => {
      const d = errors();
      return d.length ? d : undefined;
    }, 'a diagnostic for the bad metric');
    assert.equal(problems.length, 1);
    assert.equal(problems[0].range.start.line, line);
    assert.equal(problems[0].severity, vscode.DiagnosticSeverity.Error);
    assert.match(problems[0].message, /training\.metric: must be one of/);
    await editor.edit((e) => e.replace(doc.lineAt(line).range, original));
    await eventually(() => errors().length === 0, 'the diagnostic to clear');
    await doc.save();
  });
});
