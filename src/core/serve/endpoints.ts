import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { parseModelReference } from '../registry';
import type { ServingConfig } from '../workspace';

/** What one endpoint serves: weighted routes, an optional shadow, and what keeps a caller on one route. */
export interface EndpointSpec {
  name: string;
  routes: { model: string; weight: number }[];
  shadow?: string;
  sticky?: string;
}

/**
 * The endpoints to serve: the references given on the command line (one endpoint each, named after the model), or
 * else those `serving:` declares (`endpoints:`, or the single `model:` shorthand).
 */
export function endpointSpecs(serving: ServingConfig | undefined, references: readonly string[]): EndpointSpec[] {
  if (references.length) {
    const specs: EndpointSpec[] = [];
    for (const reference of references) {
      const ref = parseModelReference(reference);
      const taken = specs.some((s) => s.name === ref.model);
      const name = taken ? `${ref.model}-${'version' in ref ? ref.version : ref.alias}` : ref.model;
      specs.push({ name, routes: [{ model: reference, weight: 1 }] });
    }
    return specs;
  }
  const declared = declaredEndpoints(serving);
  if (declared.length) return declared;
  if (serving?.model) return endpointSpecs(undefined, [serving.model]);
  throw new MlopsError(
    l10n.t('No model to serve.'),
    l10n.t('Name one (`mlops serve churn@champion`), or declare endpoints under `serving:` in mlops.yaml.'),
    'NOTHING_TO_SERVE',
  );
}

/** The endpoints `serving.endpoints` declares, weights defaulting to 1. */
export function declaredEndpoints(serving: ServingConfig | undefined): EndpointSpec[] {
  return Object.entries(serving?.endpoints ?? {}).map(([name, e]) => ({
    name,
    routes: e.routes.map((r) => ({ model: r.model, weight: r.weight ?? 1 })),
    ...(e.shadow ? { shadow: e.shadow } : {}),
    ...(e.sticky ? { sticky: e.sticky } : {}),
  }));
}

/**
 * The route a request takes: by weight, at random, or for a sticky key by its hash, so that one key keeps reaching
 * the same route while the weights stay put. -1 when every weight is 0.
 */
export function chooseRoute(weights: readonly number[], stickyKey: string | undefined): number {
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return -1;
  const point = (stickyKey === undefined ? Math.random() : hashFraction(stickyKey)) * total;
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i];
    if (point < sum && weights[i] > 0) return i;
  }
  // rounding can leave the point at the very end of the sum: it belongs to the last route that takes traffic
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return -1;
}

/** FNV-1a of the key as a fraction in [0, 1): stable across processes and restarts, unlike Math.random. */
function hashFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}
