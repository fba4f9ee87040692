import { MlopsError } from '../errors';
import { l10n } from '../l10n';

/**
 * JSON for model artifacts. Typed arrays are stored as base64 of their little-endian bytes: exact (no decimal
 * round trip for floats), about a third the size of number lists, and fast to load. Object keys keep insertion
 * order and nothing time-dependent goes in, so the same model always gives the same bytes.
 */
const TYPES = {
  f64: Float64Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
} as const;
type TypeTag = keyof typeof TYPES;

function tagOf(value: unknown): TypeTag | undefined {
  for (const [tag, ctor] of Object.entries(TYPES)) if (value instanceof ctor) return tag as TypeTag;
  return undefined;
}

export function toJsonValue(value: unknown): unknown {
  const tag = tagOf(value);
  if (tag) {
    const view = value as ArrayBufferView;
    return { $array: tag, base64: Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64') };
  }
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  // JSON has no Infinity: unlimited parameters (maxDepth) are written as null, which every family reads as unlimited.
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

export function fromJsonValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJsonValue);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$array === 'string' && typeof record.base64 === 'string') {
      const ctor = TYPES[record.$array as TypeTag];
      if (!ctor) throw corrupt();
      const bytes = Buffer.from(record.base64, 'base64');
      if (bytes.length % ctor.BYTES_PER_ELEMENT !== 0) throw corrupt();
      // Copied into a fresh, aligned buffer: Buffer's pool offsets are not always multiples of 8.
      const aligned = new Uint8Array(bytes.length);
      aligned.set(bytes);
      return new ctor(aligned.buffer);
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fromJsonValue(v)]));
  }
  return value;
}

export function corrupt(): MlopsError {
  return new MlopsError(l10n.t('The model artifact is damaged or was not written by MLOps Workbench.'), l10n.t('Train the model again or restore the artifact from the registry.'));
}
