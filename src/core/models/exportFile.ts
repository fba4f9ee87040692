import { writeFileDurably } from '../storage';
import { exportOnnx, loadModel, type Model } from '../train';

export interface ExportFileResult {
  model: Model;
  /** Size of the ONNX file written. */
  bytes: number;
}

/**
 * Writes the model of an artifact (the model.json bytes of a run or a registered version) as an ONNX file, whole or
 * not at all. Families without an ONNX operator are refused before anything is written.
 */
export function exportOnnxFile(modelBytes: Uint8Array | string, outputPath: string): ExportFileResult {
  const model = loadModel(typeof modelBytes === 'string' ? modelBytes : Buffer.from(modelBytes).toString('utf8'));
  const onnx = exportOnnx(model);
  writeFileDurably(outputPath, onnx);
  return { model, bytes: onnx.length };
}
