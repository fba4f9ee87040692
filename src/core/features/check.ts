import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { checkConfigText, projectPaths, type ConfigCheck, type ConfigProblem, type Project, type ProjectConfig, type ProjectPaths } from '../workspace';
import { compileView, serviceFeatures, type FeatureProblem } from './definitions';
import { resolveSource } from './source';

/**
 * Every problem of the `features:` section, at its line and column in mlops.yaml: names, types against each source
 * version's profile, cycles, the timestamp column, services. `text` is the mlops.yaml the config was parsed from
 * (the editor's unsaved text, or the file's). A source without a version yet is a warning: its types cannot be
 * checked until it is snapshotted.
 */
export function checkFeatureDefinitions(project: Project | { paths: ProjectPaths; config: ProjectConfig }, text: string): ConfigProblem[] {
  const config = project.config.features;
  if (!config) return [];
  const problems: FeatureProblem[] = [];
  for (const [name, view] of Object.entries(config.views ?? {})) {
    let columns;
    try {
      columns = resolveSource(project as Project, view.source).columns;
    } catch (err) {
      if (!(err instanceof MlopsError)) throw err;
      // A fresh clone has the versions but not their objects until `mlops pull`: CI validates before it pulls.
      const notHere = err.code === 'MISSING_OBJECT';
      problems.push({
        path: ['features', 'views', name, 'source'],
        severity: err.code === 'NO_DATASET' || notHere ? 'warning' : 'error',
        message: err.code === 'NO_DATASET'
          ? l10n.t('The dataset {0} has no version yet, so the types of this view are not checked: snapshot it.', view.source)
          : notHere ? l10n.t('The data of {0} is not in this machine\'s cache, so the types of this view are not checked: `mlops pull` fetches it.', view.source) : err.message,
      });
      columns = undefined;
    }
    compileView(config, name, columns, problems);
  }
  for (const service of Object.keys(config.services ?? {})) serviceFeatures(config, service, problems);
  return locate(problems, text);
}

/** Turns paths of keys into line and column ranges; inside an expression, to the offending characters. */
function locate(problems: FeatureProblem[], text: string): ConfigProblem[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return problems.map((p) => {
    let node = doc.getIn(p.path, true) as { range?: [number, number, number] } | undefined;
    for (let up = p.path.length - 1; (!node || !node.range) && up > 0; up--) node = doc.getIn(p.path.slice(0, up), true) as typeof node;
    let [start, end] = node?.range ? [node.range[0], node.range[1]] : [0, 0];
    if (p.expressionRange && isScalar(node)) {
      // A quoted scalar's text starts after its quote; a plain one at its first character.
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
      if (node.type === 'PLAIN' || quoted) {
        const base = start + quoted;
        start = base + p.expressionRange[0];
        end = Math.max(start + 1, base + p.expressionRange[1]);
      }
    }
    const a = lineCounter.linePos(start);
    const b = lineCounter.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col, message: p.message, severity: p.severity };
  });
}

/**
 * mlops.yaml checked whole: its schema, then the feature definitions against their source datasets, all with
 * positions. Feature problems leave the config usable: a typo in an expression must not stop snapshots or training.
 */
export function checkProjectText(text: string, root: string): ConfigCheck {
  const check = checkConfigText(text);
  if (check.config?.features) check.problems.push(...checkFeatureDefinitions({ paths: projectPaths(root), config: check.config }, text));
  return check;
}

/**
 * Where a key of mlops.yaml is written (1-based line and column of the key itself, not its value): Go to
 * Definition and the CodeLens of a view land on `temp_range:`, whatever the file's layout. Undefined when the path
 * is not in the text (the editor's buffer may have moved on from the config read from disk).
 */
export function keyPosition(text: string, keyPath: readonly string[]): { line: number; column: number } | undefined {
  if (keyPath.length === 0) return undefined;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const parent = keyPath.length === 1 ? doc.contents : doc.getIn(keyPath.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === keyPath[keyPath.length - 1]);
  const range = isScalar(pair?.key) ? pair.key.range : undefined;
  if (!range) return undefined;
  const { line, col } = lineCounter.linePos(range[0]);
  return { line, column: col };
}
