import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import type { SignatureInput } from '../registry';
import { parseCsv, type Cell } from '../train';

/** Rows of a request as one array of cells per signature input, in signature order. */
export interface ColumnBatch {
  columns: Cell[][];
  rows: number;
}

/** A client's mistake: answered with `status` and the message, never a reason for the server to fail. */
export class RequestError extends MlopsError {
  constructor(message: string, readonly status = 400) {
    super(message, undefined, 'BAD_REQUEST');
  }
}

const MLFLOW_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** The body of an MLflow scoring request (`application/json`): exactly one of the four input shapes, and `params`. */
export function batchFromMlflowJson(body: unknown, inputs: readonly SignatureInput[]): ColumnBatch {
  return nonEmpty(mlflowBatch(body, inputs));
}

function mlflowBatch(body: unknown, inputs: readonly SignatureInput[]): ColumnBatch {
  if (!isObject(body)) throw new RequestError(l10n.t('The request body must be a JSON object with one of {0}.', MLFLOW_KEYS.join(', ')));
  const present = MLFLOW_KEYS.filter((k) => k in body);
  const unknown = Object.keys(body).filter((k) => k !== 'params' && !(MLFLOW_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new RequestError(l10n.t('Unknown keys in the request: {0}. Use exactly one of {1}, and optionally params.', unknown.join(', '), MLFLOW_KEYS.join(', ')));
  if (present.length !== 1) throw new RequestError(l10n.t('The request must hold exactly one of {0}; it holds {1}.', MLFLOW_KEYS.join(', '), present.length ? present.join(', ') : l10n.t('none')));
  const key = present[0];
  const value = body[key];
  if (key === 'dataframe_split') {
    if (!isObject(value) || !Array.isArray(value.data) || Object.keys(value).some((k) => k !== 'columns' && k !== 'data' && k !== 'index')) {
      throw new RequestError(l10n.t('dataframe_split must be an object with "columns" and "data" (a list of rows), and optionally "index".'));
    }
    const columns = value.columns === undefined ? inputs.map((i) => i.name) : value.columns;
    if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) throw new RequestError(l10n.t('dataframe_split.columns must be a list of column names.'));
    return batchFromRows(columns, value.data, inputs, 'dataframe_split.data');
  }
  if (key === 'inputs' && isObject(value)) return batchFromColumns(value, inputs);
  if (!Array.isArray(value)) throw new RequestError(l10n.t('{0} must be a list of rows.', key));
  if (value.every(isObject)) return batchFromRecords(value, inputs, key);
  return batchFromRows(inputs.map((i) => i.name), value, inputs, key);
}

/** A `text/csv` scoring request: a header naming the columns, then one line per row. */
export function batchFromCsv(text: string, inputs: readonly SignatureInput[]): ColumnBatch {
  let table: { header: string[]; rows: string[][] };
  try {
    table = parseCsv(text);
  } catch (err) {
    throw new RequestError(err instanceof Error ? err.message : String(err));
  }
  checkNames(table.header, inputs);
  const order = inputs.map((i) => table.header.indexOf(i.name));
  const columns = inputs.map((input, c) => table.rows.map((row, r) => csvCell(row[order[c]], input, r)));
  return nonEmpty({ columns, rows: table.rows.length });
}

/** A request without rows is a client's slip (an empty list sent by mistake), not a question with an empty answer. */
function nonEmpty(batch: ColumnBatch): ColumnBatch {
  if (batch.rows === 0) throw new RequestError(l10n.t('The request holds no rows to predict.'));
  return batch;
}

function csvCell(text: string, input: SignatureInput, row: number): Cell {
  if (input.type === 'categorical') return text;
  const trimmed = text.trim();
  if (trimmed === '' || /^(nan|null|na|none)$/i.test(trimmed)) return null;
  const n = Number(trimmed);
  if (!Number.isFinite(n)) throw wrongType(input, text, row);
  return n;
}

function batchFromRows(names: readonly string[], data: unknown, inputs: readonly SignatureInput[], where: string): ColumnBatch {
  if (!Array.isArray(data)) throw new RequestError(l10n.t('{0} must be a list of rows.', where));
  // the columns in signature order, as nearly every client sends them, need none of checkNames' sets
  if (names.length !== inputs.length || inputs.some((input, c) => input.name !== names[c])) checkNames(names, inputs);
  const order = inputs.map((i) => names.indexOf(i.name));
  const columns: Cell[][] = inputs.map(() => new Array<Cell>(data.length));
  for (let r = 0; r < data.length; r++) {
    const row: unknown = data[r];
    if (!Array.isArray(row) || row.length !== names.length) {
      throw new RequestError(l10n.t('Row {0} of {1} must be a list of {2} values, one per column ({3}).', r, where, names.length, names.join(', ')));
    }
    for (let c = 0; c < inputs.length; c++) columns[c][r] = jsonCell(row[order[c]], inputs[c], r);
  }
  return { columns, rows: data.length };
}

function batchFromRecords(records: readonly Record<string, unknown>[], inputs: readonly SignatureInput[], where: string): ColumnBatch {
  const wanted = new Set(inputs.map((i) => i.name));
  for (const [r, record] of records.entries()) {
    const missing = inputs.filter((i) => !(i.name in record)).map((i) => i.name);
    const extra = Object.keys(record).filter((k) => !wanted.has(k));
    if (missing.length || extra.length) throw columnsMismatch(missing, extra, inputs, l10n.t('row {0} of {1}', r, where));
  }
  const columns = inputs.map((input) => records.map((record, r) => jsonCell(record[input.name], input, r)));
  return { columns, rows: records.length };
}

/** `inputs` as an object of columns: {"temp": [1, 2], "location": ["a", "b"]}. */
function batchFromColumns(value: Record<string, unknown>, inputs: readonly SignatureInput[]): ColumnBatch {
  checkNames(Object.keys(value), inputs);
  let rows = -1;
  const columns = inputs.map((input) => {
    const raw = value[input.name];
    const list = Array.isArray(raw) ? raw : [raw];
    if (rows === -1) rows = list.length;
    else if (list.length !== rows) throw new RequestError(l10n.t('Column "{0}" has {1} values where the others have {2}.', input.name, list.length, rows));
    return list.map((cell, r) => jsonCell(cell, input, r));
  });
  return { columns, rows: Math.max(rows, 0) };
}

export const OIP_NUMERIC_TYPES = ['BOOL', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'FP16', 'FP32', 'FP64'];

interface Tensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

/**
 * The inputs of an Open Inference Protocol infer request: one tensor per signature column (shape [n] or [n, 1]), or a
 * single [n, k] tensor holding the columns in signature order.
 */
export function batchFromInferRequest(body: unknown, inputs: readonly SignatureInput[]): ColumnBatch {
  return nonEmpty(inferBatch(body, inputs));
}

function inferBatch(body: unknown, inputs: readonly SignatureInput[]): ColumnBatch {
  if (!isObject(body) || !Array.isArray(body.inputs) || body.inputs.length === 0) throw new RequestError(l10n.t('An infer request needs "inputs": a list of tensors with name, shape, datatype and data.'));
  if (body.id !== undefined && typeof body.id !== 'string') throw new RequestError(l10n.t('The request "id" must be a string.'));
  const tensors = body.inputs.map(tensorOf);
  const byName = new Set(inputs.map((i) => i.name));
  const only = tensors[0];
  if (tensors.length === 1 && only.shape.length === 2 && (only.shape[1] === inputs.length && (inputs.length > 1 || !byName.has(only.name)))) {
    const [rows, width] = only.shape;
    const columns = inputs.map((input, c) => {
      const out = new Array<Cell>(rows);
      for (let r = 0; r < rows; r++) out[r] = tensorCell(only.data[r * width + c], only.datatype, input, r);
      return out;
    });
    return { columns, rows };
  }
  checkNames(tensors.map((t) => t.name), inputs);
  let rows = -1;
  const columns = inputs.map((input) => {
    const tensor = tensors.find((t) => t.name === input.name)!;
    const [n, width = 1, ...more] = tensor.shape;
    if (width !== 1 || more.length) throw new RequestError(l10n.t('Tensor "{0}" has shape [{1}]; a column takes [n] or [n, 1].', tensor.name, tensor.shape.join(', ')));
    if (rows === -1) rows = n;
    else if (n !== rows) throw new RequestError(l10n.t('Tensor "{0}" has {1} rows where the others have {2}.', tensor.name, n, rows));
    if (input.type === 'numeric' && tensor.datatype === 'BYTES') throw new RequestError(l10n.t('Tensor "{0}" is BYTES where the model expects numbers (FP64, INT64 or BOOL).', tensor.name));
    return tensor.data.map((cell, r) => tensorCell(cell, tensor.datatype, input, r));
  });
  return { columns, rows };
}

function tensorOf(raw: unknown, index: number): Tensor {
  if (!isObject(raw) || typeof raw.name !== 'string' || typeof raw.datatype !== 'string' || !Array.isArray(raw.shape) || !Array.isArray(raw.data)) {
    throw new RequestError(l10n.t('Input tensor {0} needs name, shape, datatype and data.', index));
  }
  const { name, datatype } = raw;
  if (datatype !== 'BYTES' && !OIP_NUMERIC_TYPES.includes(datatype)) throw new RequestError(l10n.t('Tensor "{0}" has datatype {1}; use BOOL, INT64, FP64 or BYTES.', name, datatype));
  const shape = raw.shape as unknown[];
  if (shape.length < 1 || shape.length > 2 || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) throw new RequestError(l10n.t('Tensor "{0}" has shape [{1}]; use [n], [n, 1] or [n, k].', name, shape.join(', ')));
  const data = (raw.data as unknown[]).flat(2);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new RequestError(l10n.t('Tensor "{0}" holds {1} values where its shape [{2}] needs {3}.', name, data.length, shape.join(', '), size));
  return { name, shape: shape as number[], datatype, data };
}

function tensorCell(value: unknown, datatype: string, input: SignatureInput, row: number): Cell {
  if (datatype === 'BOOL' && typeof value === 'boolean') return input.type === 'numeric' ? Number(value) : String(value);
  return jsonCell(value, input, row);
}

/** A JSON value as a cell of `input`: numbers for numeric inputs, text or numbers for categories, null for missing. */
function jsonCell(value: unknown, input: SignatureInput, row: number): Cell {
  if (value === null || value === undefined) return null;
  if (input.type === 'numeric') {
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && /^\s*nan\s*$/i.test(value)) return null;
    throw wrongType(input, value, row);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw wrongType(input, value, row);
}

function wrongType(input: SignatureInput, value: unknown, row: number): RequestError {
  const expected = input.type === 'numeric' ? l10n.t('a number') : l10n.t('a category (text)');
  return new RequestError(l10n.t('Column "{0}" holds {1} at row {2}, where the model expects {3}.', input.name, shortJson(value), row, expected));
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function checkNames(names: readonly string[], inputs: readonly SignatureInput[]): void {
  const wanted = new Set(inputs.map((i) => i.name));
  const given = new Set(names);
  const duplicated = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicated.length) throw new RequestError(l10n.t('Columns named more than once: {0}.', [...new Set(duplicated)].join(', ')));
  const missing = inputs.filter((i) => !given.has(i.name)).map((i) => i.name);
  const extra = names.filter((n) => !wanted.has(n));
  if (missing.length || extra.length) throw columnsMismatch(missing, extra, inputs, l10n.t('the request'));
}

function columnsMismatch(missing: readonly string[], extra: readonly string[], inputs: readonly SignatureInput[], where: string): RequestError {
  const parts = [
    ...(missing.length ? [l10n.t('missing: {0}', missing.join(', '))] : []),
    ...(extra.length ? [l10n.t('not used by the model: {0}', extra.join(', '))] : []),
  ];
  return new RequestError(l10n.t('The columns of {0} do not match the model\'s signature ({1}); it reads {2}.', where, parts.join('; '), inputs.map((i) => i.name).join(', ')));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
