import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { checkModelName } from '../registry';
import { writeFileDurably } from '../storage';
import { exportOnnx, loadModel, type Model } from '../train';

/** One tensor of the Triton model configuration: `dims` -1 where the ONNX graph has a symbolic size (the rows). */
export interface TritonTensor {
  name: string;
  datatype: string;
  dims: number[];
}

export interface TritonRepositoryResult {
  model: Model;
  /** The model's folder in the repository, and the name clients call it by (`/v2/models/{name}/infer`). */
  name: string;
  version: number;
  /** The files written, relative to the repository folder. */
  files: string[];
  /** Size of the ONNX file. */
  bytes: number;
  inputs: TritonTensor[];
  outputs: TritonTensor[];
}

const TRITON_TYPES: Partial<Record<number, string>> = {
  [onnx.TensorProto.DataType.FLOAT]: 'TYPE_FP32',
  [onnx.TensorProto.DataType.DOUBLE]: 'TYPE_FP64',
  [onnx.TensorProto.DataType.STRING]: 'TYPE_STRING',
  [onnx.TensorProto.DataType.INT64]: 'TYPE_INT64',
  [onnx.TensorProto.DataType.INT32]: 'TYPE_INT32',
  [onnx.TensorProto.DataType.BOOL]: 'TYPE_BOOL',
};

/**
 * Writes a Triton / KServe model repository under `outputDir`: `<name>/<version>/model.onnx`, `<name>/config.pbtxt`
 * (onnxruntime_onnx, its tensors read back from the graph written, so they cannot disagree), and
 * `inferenceservice.yaml`, a KServe InferenceService speaking the Open Inference Protocol v2. Models the ONNX
 * exporter refuses are refused with its reason before anything is written.
 */
export function exportTritonRepository(modelBytes: Uint8Array | string, outputDir: string, options: { name: string; version: number }): TritonRepositoryResult {
  const name = checkModelName(options.name);
  const { version } = options;
  if (!Number.isInteger(version) || version < 1) throw new MlopsError(l10n.t('A Triton model version is a whole number of at least 1; got {0}.', version), l10n.t('Export a registered version (--model name/3), whose number it takes.'), 'BAD_NAME');
  const model = loadModel(typeof modelBytes === 'string' ? modelBytes : Buffer.from(modelBytes).toString('utf8'));
  const graphBytes = exportOnnx(model);
  const graph = onnx.ModelProto.decode(graphBytes).graph;
  const inputs = (graph?.input ?? []).map(tensorOf);
  const outputs = (graph?.output ?? []).map(tensorOf);
  const files = {
    onnx: path.join(name, String(version), 'model.onnx'),
    config: path.join(name, 'config.pbtxt'),
    manifest: 'inferenceservice.yaml',
  };
  writeFileDurably(path.join(outputDir, files.onnx), graphBytes);
  writeFileDurably(path.join(outputDir, files.config), configText(name, model, inputs, outputs));
  writeFileDurably(path.join(outputDir, files.manifest), manifestText(name));
  return { model, name, version, files: [files.onnx, files.config, files.manifest], bytes: graphBytes.length, inputs, outputs };
}

function tensorOf(info: onnx.IValueInfoProto): TritonTensor {
  const tensor = info.type?.tensorType;
  const datatype = TRITON_TYPES[tensor?.elemType ?? -1];
  // the exporter writes only the types above; a new one must be mapped here rather than written as a guess
  if (!datatype) throw new Error(`ONNX element type ${tensor?.elemType} of ${info.name} has no Triton type`);
  return { name: info.name ?? '', datatype, dims: (tensor?.shape?.dim ?? []).map((d) => (d.dimParam ? -1 : Number(d.dimValue))) };
}

function configText(name: string, model: Model, inputs: TritonTensor[], outputs: TritonTensor[]): string {
  const block = (t: TritonTensor) => `  {\n    name: "${t.name}"\n    data_type: ${t.datatype}\n    dims: [ ${t.dims.join(', ')} ]\n  }`;
  return [
    '# Written by `mlops export --format triton`.',
    `# ${inputs[0]?.name ?? 'X'}: one row per prediction, the model's features in this order: ${model.features.map((f) => f.name).join(', ')}.`,
    "# Categories go in as their code in the model's vocabulary and missing values as NaN (`mlops export --json` lists both).",
    `name: "${name}"`,
    'platform: "onnxruntime_onnx"',
    // the rows are the graph's first, symbolic dimension, written out in dims rather than left to Triton's batcher
    'max_batch_size: 0',
    `input [\n${inputs.map(block).join(',\n')}\n]`,
    `output [\n${outputs.map(block).join(',\n')}\n]`,
    '',
  ].join('\n');
}

/** An InferenceService name is a DNS label: lower case, digits and dashes, a letter first, at most 63 characters. */
function dnsLabel(name: string): string {
  const label = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return (/^[a-z]/.test(label) ? label : `m-${label}`).slice(0, 63).replace(/-+$/, '');
}

function manifestText(name: string): string {
  return [
    '# A KServe InferenceService for the Triton model repository in this folder, written by `mlops export --format triton`.',
    '# Copy the folder to storage the cluster reads, and replace storageUri below with its address',
    '# (s3://bucket/path, gs://bucket/path, pvc://claim/path); then `kubectl apply -f inferenceservice.yaml`.',
    'apiVersion: serving.kserve.io/v1beta1',
    'kind: InferenceService',
    'metadata:',
    `  name: ${dnsLabel(name)}`,
    'spec:',
    '  predictor:',
    '    model:',
    '      modelFormat:',
    '        name: onnx',
    '      runtime: kserve-tritonserver',
    '      protocolVersion: v2',
    '      storageUri: s3://REPLACE-WITH-YOUR-BUCKET/path/to/this/folder',
    '',
  ].join('\n');
}
