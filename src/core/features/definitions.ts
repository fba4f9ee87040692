import { l10n } from '../l10n';
import type { AggregateFunction, FeatureAggregateConfig, FeaturesConfig, FeatureViewConfig } from '../workspace';
import { ExpressionError, namesIn, parseExpression, type Expression } from './expression';
import { closest, compileExpression, type TypedExpression, type ValueType } from './typing';
import { sha256 } from '../storage';

/**
 * When a feature is computed. `row`: from one source row (a column, or an expression over the row), once per source
 * row; `window`: an aggregate over the entity's rows in a trailing window ending at the lookup time; `point`: at the
 * lookup, from other features and request inputs (an on-demand feature).
 */
export type FeatureStage = 'row' | 'window' | 'point';

export interface CompiledFeature {
  name: string;
  /** Index in CompiledView.features; expressions read features by it. */
  slot: number;
  kind: 'column' | 'expression' | 'aggregate';
  type: ValueType;
  stage: FeatureStage;
  /** Not an output: a source column a point expression or an aggregate reads, carried as a row feature. */
  hidden: boolean;
  /** The source column of a `column` feature. */
  column?: string;
  expression?: string;
  evaluator?: TypedExpression;
  aggregate?: { fn: AggregateFunction; of?: number; windowMs: number };
  /** Whether the value's event time is the source row's (else the lookup time): what TTL applies to. */
  timedByRow: boolean;
  /** Request inputs a point expression reads (`request.x`). */
  requestInputs: string[];
}

export interface CompiledView {
  name: string;
  entity: string;
  keys: string[];
  source: string;
  timestamp: string;
  created?: string;
  /** Milliseconds; 0 is no limit. */
  ttlMs: number;
  /** Every feature, dependencies before dependents (hidden ones included). */
  features: CompiledFeature[];
  /** Source columns row features read, in slot order (row expressions address columns by slot). */
  columns: { name: string; type: ValueType }[];
  /** The longest window of the view's aggregates, 0 without any. */
  longestWindowMs: number;
  /** sha256 of the normalized definition; the view's version adds the source version's digest to it. */
  definitionDigest: string;
}

/** Where a problem is: a path of keys into mlops.yaml and, for an expression, the offsets inside its text. */
export interface FeatureProblem {
  path: (string | number)[];
  message: string;
  severity: 'error' | 'warning';
  expressionRange?: [number, number];
}

/** The column types of a source dataset's version, or undefined when it has none to check against. */
export type SourceColumns = ReadonlyMap<string, ValueType> | undefined;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `7d`, `12h`, `30m`, `90s`, `0`: milliseconds; undefined if it is not a duration. */
export function parseDuration(text: string | number | undefined): number | undefined {
  if (text === undefined || text === 0 || text === '0') return 0;
  if (typeof text !== 'string') return undefined;
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([smhd])\s*$/.exec(text);
  return m ? Math.round(Number(m[1]) * UNIT_MS[m[2]]) : undefined;
}

export function entityKeys(config: FeaturesConfig, entity: string): string[] | undefined {
  const declared = config.entities?.[entity];
  if (!declared) return undefined;
  return typeof declared.key === 'string' ? [declared.key] : [...declared.key];
}

/** The definition with defaults filled and keys sorted: two spellings of one definition get one digest. */
function normalizedDefinition(view: FeatureViewConfig, keys: string[]): unknown {
  const features = Object.keys(view.features).sort().map((name) => {
    const f = view.features[name];
    return typeof f === 'string' ? [name, f.trim()] : [name, { aggregate: f.aggregate, of: f.of ?? null, window: parseDuration(f.window) ?? f.window }];
  });
  const source = view.source.includes('@') ? view.source.slice(0, view.source.lastIndexOf('@')) : view.source;
  return { keys, source, timestamp: view.timestamp, created: view.created ?? null, ttl: parseDuration(view.ttl) ?? String(view.ttl), features };
}

/**
 * Compiles one view against its source's columns: parses and type-checks expressions, resolves names (another
 * feature of the view first, then a source column), orders features so dependencies come first, and reports
 * cycles. Problems are collected, not thrown, so the editor can show all of them at once.
 */
export function compileView(config: FeaturesConfig, name: string, sourceColumns: SourceColumns, problems: FeatureProblem[]): CompiledView | undefined {
  const view = config.views?.[name];
  if (!view) return undefined;
  const at = (...path: (string | number)[]) => ['features', 'views', name, ...path];
  const errorsBefore = problems.filter((p) => p.severity === 'error').length;
  const keys = entityKeys(config, view.entity);
  if (!keys) {
    const suggestion = closest(view.entity, Object.keys(config.entities ?? {}));
    problems.push({
      path: at('entity'), severity: 'error',
      message: suggestion ? l10n.t('Unknown entity "{0}". Did you mean "{1}"?', view.entity, suggestion) : l10n.t('Unknown entity "{0}": declare it under features.entities.', view.entity),
    });
  }
  const ttlMs = parseDuration(view.ttl);
  if (ttlMs === undefined) problems.push({ path: at('ttl'), severity: 'error', message: l10n.t('"{0}" is not a duration: write a number and s, m, h or d (7d, 12h).', String(view.ttl)) });

  const columnType = (column: string): ValueType | undefined => (sourceColumns ? sourceColumns.get(column) : 'null');
  const sourceNames = sourceColumns ? [...sourceColumns.keys()] : [];
  const requireColumn = (column: string, path: (string | number)[], what: string) => {
    if (!sourceColumns || sourceColumns.has(column)) return;
    const suggestion = closest(column, sourceNames);
    problems.push({
      path, severity: 'error',
      message: suggestion
        ? l10n.t('The source {0} has no {1} column "{2}". Did you mean "{3}"?', view.source, what, column, suggestion)
        : l10n.t('The source {0} has no {1} column "{2}"; its columns are: {3}.', view.source, what, column, sourceNames.join(', ')),
    });
  };
  requireColumn(view.timestamp, at('timestamp'), l10n.t('timestamp'));
  const timestampType = columnType(view.timestamp);
  if (timestampType && timestampType !== 'datetime' && timestampType !== 'null') {
    problems.push({ path: at('timestamp'), severity: 'error', message: l10n.t('The timestamp column "{0}" holds {1} values, not ISO 8601 dates or date-times.', view.timestamp, timestampType) });
  }
  if (view.created !== undefined) requireColumn(view.created, at('created'), l10n.t('created'));
  for (const key of keys ?? []) requireColumn(key, at('entity'), l10n.t('key'));

  // Parse everything first: the dependency graph needs every feature's references.
  const declared = Object.keys(view.features);
  const parsed = new Map<string, { tree?: Expression; aggregate?: FeatureAggregateConfig }>();
  for (const featureName of declared) {
    const definition = view.features[featureName];
    if (typeof definition !== 'string') {
      parsed.set(featureName, { aggregate: definition });
      continue;
    }
    try {
      parsed.set(featureName, { tree: parseExpression(definition) });
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      problems.push({ path: at('features', featureName), severity: 'error', message: err.message, expressionRange: [err.start, err.end] });
      parsed.set(featureName, {});
    }
  }

  const features: CompiledFeature[] = [];
  const columns: { name: string; type: ValueType }[] = [];
  const columnSlot = (column: string): number => {
    let slot = columns.findIndex((c) => c.name === column);
    if (slot === -1) {
      slot = columns.length;
      columns.push({ name: column, type: columnType(column) ?? 'null' });
    }
    return slot;
  };
  const bySlotName = new Map<string, CompiledFeature>();
  // A column read by a point expression or an aggregate travels as a hidden row feature: the online store holds
  // features, not source rows, and both lookups must see the same inputs.
  const hiddenColumnFeature = (column: string): CompiledFeature => {
    const key = `\u0000${column}`;
    let f = bySlotName.get(key);
    if (!f) {
      const slot = columnSlot(column);
      f = { name: column, slot: features.length, kind: 'column', type: columns[slot].type, stage: 'row', hidden: true, column, timedByRow: true, requestInputs: [] };
      features.push(f);
      bySlotName.set(key, f);
    }
    return f;
  };
  const state = new Map<string, 'visiting' | 'done' | 'failed'>();
  const stack: string[] = [];

  const visit = (featureName: string): CompiledFeature | undefined => {
    const status = state.get(featureName);
    if (status === 'done') return bySlotName.get(featureName);
    if (status === 'failed') return undefined;
    if (status === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(featureName)), featureName];
      problems.push({ path: at('features', featureName), severity: 'error', message: l10n.t('These features depend on each other in a cycle: {0}.', cycle.join(' -> ')) });
      state.set(featureName, 'failed');
      return undefined;
    }
    state.set(featureName, 'visiting');
    stack.push(featureName);
    const compiled = compileFeature(featureName);
    stack.pop();
    if (state.get(featureName) === 'failed' || !compiled) {
      state.set(featureName, 'failed');
      return undefined;
    }
    compiled.slot = features.length;
    features.push(compiled);
    bySlotName.set(featureName, compiled);
    state.set(featureName, 'done');
    return compiled;
  };

  const compileFeature = (featureName: string): CompiledFeature | undefined => {
    const entry = parsed.get(featureName)!;
    const path = at('features', featureName);
    if (entry.aggregate) return compileAggregate(featureName, entry.aggregate, path);
    const tree = entry.tree;
    if (!tree) return undefined;
    const text = view.features[featureName] as string;
    if (tree.kind === 'name' && !(parsed.has(tree.name) && tree.name !== featureName)) {
      if (sourceColumns && !sourceColumns.has(tree.name)) {
        const suggestion = closest(tree.name, [...sourceNames, ...declared.filter((d) => d !== featureName)]);
        problems.push({
          path, severity: 'error', expressionRange: [tree.start, tree.end],
          message: suggestion ? l10n.t('Unknown column or feature "{0}". Did you mean "{1}"?', tree.name, suggestion) : l10n.t('Unknown column or feature "{0}".', tree.name),
        });
        return undefined;
      }
      const slot = columnSlot(tree.name);
      return { name: featureName, slot: -1, kind: 'column', type: columns[slot].type, stage: 'row', hidden: false, column: tree.name, timedByRow: true, requestInputs: [] };
    }
    // First pass: which names are features, and of which stage; that decides whether this is a row or point feature.
    const referenced: CompiledFeature[] = [];
    let failed = false;
    const requestInputs: string[] = [];
    const dependencyOf = (n: string): CompiledFeature | undefined | null => {
      if (n === featureName || !parsed.has(n)) return null;
      const f = visit(n);
      if (!f) failed = true;
      return f;
    };
    for (const e of namesIn(tree)) {
      if (e.kind === 'request') requestInputs.push(e.name);
      else if (e.kind === 'name') {
        const f = dependencyOf(e.name);
        if (f) referenced.push(f);
      }
    }
    if (failed) return undefined;
    const stage: FeatureStage = requestInputs.length > 0 || referenced.some((f) => f.stage !== 'row') ? 'point' : 'row';
    let timedByRow = false;
    const resolver = {
      resolve: (n: string) => {
        const f = n !== featureName && parsed.has(n) ? bySlotName.get(n) : undefined;
        if (f) {
          if (f.timedByRow) timedByRow = true;
          // A row expression reads a feature of the same row through its column slot range, after the columns.
          return { slot: stage === 'row' ? -1 - f.slot : f.slot, type: f.type };
        }
        const type = columnType(n);
        if (type === undefined) return undefined;
        timedByRow = true;
        if (stage === 'row') return { slot: columnSlot(n), type };
        const hidden = hiddenColumnFeature(n);
        return { slot: hidden.slot, type: hidden.type };
      },
      candidates: () => [...sourceNames, ...declared.filter((d) => d !== featureName)],
      onRequest: () => undefined,
    };
    try {
      const evaluator = compileExpression(tree, resolver);
      return { name: featureName, slot: -1, kind: 'expression', type: evaluator.type, stage, hidden: false, expression: text, evaluator, timedByRow: stage === 'row' || timedByRow, requestInputs: [...new Set(requestInputs)] };
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      problems.push({ path, severity: 'error', message: err.message, expressionRange: [err.start, err.end] });
      return undefined;
    }
  };

  const compileAggregate = (featureName: string, definition: FeatureAggregateConfig, path: (string | number)[]): CompiledFeature | undefined => {
    const windowMs = parseDuration(definition.window);
    if (!windowMs) {
      problems.push({ path: [...path, 'window'], severity: 'error', message: l10n.t('"{0}" is not a window length: write a number and s, m, h or d (7d, 12h).', String(definition.window)) });
      return undefined;
    }
    let of: CompiledFeature | undefined;
    if (definition.of !== undefined) {
      if (parsed.has(definition.of) && definition.of !== featureName) {
        of = visit(definition.of);
        if (!of) return undefined;
        if (of.stage !== 'row') {
          problems.push({ path: [...path, 'of'], severity: 'error', message: l10n.t('An aggregate can only be taken of a column or of a feature computed from one row; "{0}" is not.', definition.of) });
          return undefined;
        }
      } else {
        if (sourceColumns && !sourceColumns.has(definition.of)) {
          const suggestion = closest(definition.of, [...sourceNames, ...declared]);
          problems.push({
            path: [...path, 'of'], severity: 'error',
            message: suggestion ? l10n.t('Unknown column or feature "{0}". Did you mean "{1}"?', definition.of, suggestion) : l10n.t('Unknown column or feature "{0}".', definition.of),
          });
          return undefined;
        }
        of = hiddenColumnFeature(definition.of);
      }
    } else if (definition.aggregate !== 'count') {
      problems.push({ path, severity: 'error', message: l10n.t('The {0} aggregate needs `of`: the column or feature it aggregates.', definition.aggregate) });
      return undefined;
    }
    const ofType = of?.type ?? 'null';
    const numeric = ofType === 'number' || ofType === 'boolean' || ofType === 'null';
    if ((definition.aggregate === 'sum' || definition.aggregate === 'mean') && !numeric) {
      problems.push({ path: [...path, 'of'], severity: 'error', message: l10n.t('Type mismatch: {0} needs numbers, and "{1}" holds {2} values.', definition.aggregate, definition.of ?? '', ofType) });
      return undefined;
    }
    if ((definition.aggregate === 'min' || definition.aggregate === 'max') && !(numeric || ofType === 'datetime')) {
      problems.push({ path: [...path, 'of'], severity: 'error', message: l10n.t('Type mismatch: {0} needs numbers or datetimes, and "{1}" holds {2} values.', definition.aggregate, definition.of ?? '', ofType) });
      return undefined;
    }
    const type: ValueType = definition.aggregate === 'count' || definition.aggregate === 'sum' || definition.aggregate === 'mean' ? 'number'
      : ofType === 'boolean' && definition.aggregate !== 'last' ? 'number' : ofType;
    return { name: featureName, slot: -1, kind: 'aggregate', type, stage: 'window', hidden: false, aggregate: { fn: definition.aggregate, of: of?.slot, windowMs }, timedByRow: false, requestInputs: [] };
  };

  for (const featureName of declared) visit(featureName);
  if (problems.filter((p) => p.severity === 'error').length > errorsBefore || !keys || ttlMs === undefined) return undefined;
  const definitionDigest = sha256(JSON.stringify(normalizedDefinition(view, keys)));
  const longestWindowMs = Math.max(0, ...features.map((f) => f.aggregate?.windowMs ?? 0));
  return { name, entity: view.entity, keys, source: view.source, timestamp: view.timestamp, created: view.created, ttlMs, features, columns, longestWindowMs, definitionDigest };
}

/** A view's version: its definition and the source version it reads, so new data or a new definition is a new version. */
export function viewVersion(view: CompiledView, sourceDigest: string): string {
  return sha256(`${view.definitionDigest}\n${sourceDigest}`).slice(0, 16);
}

/** A service's version: the features it asks for, in its order, and the version of each view they come from. */
export function serviceVersion(features: readonly ServiceFeature[], views: readonly { name: string; version: string }[]): string {
  return sha256(JSON.stringify({ features: features.map((f) => `${f.view}:${f.feature}`), views: views.map((v) => [v.name, v.version]) })).slice(0, 16);
}

/** One requested feature of a service. */
export interface ServiceFeature {
  view: string;
  feature: string;
}

/** The features a service lists, in order; problems for unknown views or features and for duplicates. */
export function serviceFeatures(config: FeaturesConfig, service: string, problems: FeatureProblem[]): ServiceFeature[] {
  const entries = config.services?.[service] ?? [];
  const out: ServiceFeature[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const path = ['features', 'services', service, i];
    const [viewName, featureName] = entry.split(':');
    const view = config.views?.[viewName];
    if (!view) {
      const suggestion = closest(viewName, Object.keys(config.views ?? {}));
      problems.push({ path, severity: 'error', message: suggestion ? l10n.t('Unknown feature view "{0}". Did you mean "{1}"?', viewName, suggestion) : l10n.t('Unknown feature view "{0}".', viewName) });
      return;
    }
    const names = featureName === undefined ? Object.keys(view.features) : [featureName];
    for (const n of names) {
      if (!(n in view.features)) {
        const suggestion = closest(n, Object.keys(view.features));
        problems.push({ path, severity: 'error', message: suggestion ? l10n.t('The view {0} has no feature "{1}". Did you mean "{2}"?', viewName, n, suggestion) : l10n.t('The view {0} has no feature "{1}".', viewName, n) });
        continue;
      }
      const id = `${viewName}:${n}`;
      if (seen.has(id)) {
        problems.push({ path, severity: 'error', message: l10n.t('The service {0} lists the feature {1} twice.', service, id) });
        continue;
      }
      seen.add(id);
      out.push({ view: viewName, feature: n });
    }
  });
  return out;
}
