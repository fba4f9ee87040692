import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { Project } from '../workspace';
import { compileView, entityKeys, serviceFeatures, viewVersion, type FeatureProblem } from './definitions';
import { onlineDir, OnlineView } from './online';
import { resolveSource, type SourceVersion } from './source';
import type { ValueType } from './typing';

/** What `mlops features list` prints and the Features view shows. */
export interface FeatureListing {
  entities: { name: string; keys: string[] }[];
  views: {
    name: string;
    entity: string;
    /** The source as declared, and the version it resolves to (null before the dataset has one). */
    source: string;
    sourceVersion: string | null;
    /** Null when the view cannot be compiled (see `problems`) or its source has no version. */
    version: string | null;
    ttl: string | null;
    features: { name: string; kind: 'column' | 'expression' | 'aggregate'; type: ValueType | null; definition: string }[];
    /** The end time of the last materialization, and whether the online store holds the current version. */
    materialized: { end: string; current: boolean } | null;
  }[];
  services: { name: string; features: string[]; usedBy?: ServiceUsage }[];
  problems: string[];
}

/**
 * The runs trained on a service and the registered versions of their models (featureUsage() in src/core/registry):
 * what the Features view lists under a service and a CodeLens on a view says ("used by weather v3").
 */
export interface ServiceUsage {
  runs: { id: string; experiment: string; status: string; start: string; serviceVersion: string }[];
  models: { model: string; version: number; serviceVersion: string; aliases: string[]; archived: boolean }[];
}

export function listFeatures(project: Project): FeatureListing {
  const config = project.config.features ?? {};
  const problems: FeatureProblem[] = [];
  const views = Object.entries(config.views ?? {}).map(([name, declared]) => {
    let source: SourceVersion | undefined;
    try {
      source = resolveSource(project, declared.source);
    } catch (err) {
      if (!(err instanceof MlopsError)) throw err;
      problems.push({ path: ['features', 'views', name, 'source'], message: err.message, severity: 'warning' });
    }
    const compiled = compileView(config, name, source?.columns, problems);
    const version = compiled && source ? viewVersion(compiled, source.digest) : null;
    const storeFile = path.join(onlineDir(project), `${name}.features`);
    const store = fs.existsSync(storeFile) ? OnlineView.read(storeFile) : undefined;
    return {
      name,
      entity: declared.entity,
      source: declared.source,
      sourceVersion: source?.reference ?? null,
      version,
      ttl: declared.ttl === undefined ? null : String(declared.ttl),
      features: Object.entries(declared.features).map(([featureName, definition]) => {
        const f = compiled?.features.find((c) => c.name === featureName && !c.hidden);
        const kind = typeof definition === 'string' ? (f?.kind === 'column' ? 'column' as const : 'expression' as const) : 'aggregate' as const;
        const text = typeof definition === 'string' ? definition : `${definition.aggregate}(${definition.of ?? ''}) over ${definition.window}`;
        return { name: featureName, kind, type: f && source ? f.type : null, definition: text };
      }),
      materialized: store ? { end: new Date(store.header.end).toISOString(), current: store.header.version === version } : null,
    };
  });
  const services = Object.keys(config.services ?? {}).map((name) => ({ name, features: serviceFeatures(config, name, problems).map((f) => `${f.view}:${f.feature}`) }));
  const entities = Object.keys(config.entities ?? {}).map((name) => ({ name, keys: entityKeys(config, name) ?? [] }));
  return { entities, views, services, problems: problems.map((p) => `${p.path.join('.')}: ${p.message}`) };
}

/**
 * A feature's type as people read it: a feature that only passes a request input on has the type of what each
 * request sends (checked as it arrives), not a type of its own; '?' until the source's profile is known.
 */
export function featureTypeText(type: ValueType | null): string {
  if (type === null) return '?';
  return type === 'null' ? l10n.t('from the request') : type;
}
