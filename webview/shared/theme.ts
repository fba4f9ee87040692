// Charts draw on canvas, which cannot use CSS variables directly: read the theme's colours from the page so light,
// dark and high-contrast themes all work, and read them again when the theme changes (VS Code swaps the body class).
export function themeColor(variable: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(variable).trim();
  return value || fallback;
}

/** Distinct series colours taken from the theme's chart palette (VS Code defines charts.* colours). */
export function seriesPalette(): string[] {
  return ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple',
    '--vscode-charts-red', '--vscode-charts-yellow', '--vscode-charts-foreground']
    .map((v, i) => themeColor(v, ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700', '#cccccc'][i]));
}

export function onThemeChange(handler: () => void): void {
  new MutationObserver(handler).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
