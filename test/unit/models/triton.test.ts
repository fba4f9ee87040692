import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { parse as parseYaml } from 'yaml';
import { installPaths } from '../../../src/core/install';
import { resolveRegisteredModel } from '../../../src/core/models';
import { startServer } from '../../../src/core/serve';
import { datasetFromCsv, loadModel } from '../../../src/core/train';
import { IRIS_COLUMNS, postJson, servedProject } from '../serve/fixture';
import { FIXTURE_DIR, onnxInput } from '../train/fixtures';

ort.env.wasm.numThreads = 1;
const cli = path.join(installPaths().root, 'dist', 'cli.js');
const mlops = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });

interface Tensor {
  name: string;
  datatype: string;
  dims: number[];
}

/** The tensors of one `input [...]` or `output [...]` list of a config.pbtxt, read as Triton reads them. */
function pbtxtTensors(text: string, list: 'input' | 'output'): Tensor[] {
  const body = new RegExp(`^${list} \\[\\n([\\s\\S]*?)\\n\\]`, 'm').exec(text)?.[1] ?? '';
  return [...body.matchAll(/\{\s*name: "([^"]+)"\s*data_type: (\w+)\s*dims: \[([^\]]*)\]\s*\}/g)].map((m) => ({ name: m[1], datatype: m[2], dims: m[3].split(',').map((d) => Number(d.trim())) }));
}

/** The graph's own declaration of a tensor, in Triton's terms: the element type's name and -1 for a symbolic size. */
function graphTensor(info: onnx.IValueInfoProto): Tensor {
  const t = info.type!.tensorType!;
  const names: Record<number, string> = { [onnx.TensorProto.DataType.FLOAT]: 'TYPE_FP32', [onnx.TensorProto.DataType.STRING]: 'TYPE_STRING' };
  return { name: info.name!, datatype: names[t.elemType!] ?? `onnx-${t.elemType}`, dims: t.shape!.dim!.map((d) => (d.dimParam ? -1 : Number(d.dimValue))) };
}

describe('mlops export --format triton', () => {
  it('writes a Triton / KServe model repository whose ONNX model answers what the local server answers over HTTP', async () => {
    const f = await servedProject();
    // iris@champion is naive Bayes, which ONNX cannot express: refused with the exporter's reason, nothing written
    const refused = mlops(f.dir, 'export', '--model', 'iris@champion', '--format', 'triton', '--output', 'repo');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /naive_bayes family cannot be exported to ONNX/);
    assert.equal(fs.existsSync(path.join(f.dir, 'repo')), false);
    const usage = mlops(f.dir, 'export', '--model', 'iris@challenger', '--format', 'tensorrt', '--output', 'repo');
    assert.equal(usage.status, 2);

    const exported = mlops(f.dir, 'export', '--model', 'iris@challenger', '--format', 'triton', '--output', 'repo', '--json');
    assert.equal(exported.status, 0, exported.stderr);
    const shown = JSON.parse(exported.stdout);
    assert.deepEqual(shown.repository, { name: 'iris', version: 2, files: ['repo/iris/2/model.onnx', 'repo/iris/config.pbtxt', 'repo/inferenceservice.yaml'] });
    assert.equal(shown.family, 'random_forest');

    const onnxBytes = fs.readFileSync(path.join(f.dir, 'repo/iris/2/model.onnx'));
    const config = fs.readFileSync(path.join(f.dir, 'repo/iris/config.pbtxt'), 'utf8');
    assert.match(config, /^name: "iris"$/m);
    assert.match(config, /^platform: "onnxruntime_onnx"$/m);
    assert.match(config, /^max_batch_size: 0$/m);
    // the configuration declares exactly the graph's tensors
    const graph = onnx.ModelProto.decode(onnxBytes).graph!;
    assert.deepEqual(pbtxtTensors(config, 'input'), graph.input!.map(graphTensor));
    assert.deepEqual(pbtxtTensors(config, 'output'), graph.output!.map(graphTensor));
    assert.deepEqual(pbtxtTensors(config, 'input'), [{ name: 'X', datatype: 'TYPE_FP32', dims: [-1, 4] }]);
    assert.deepEqual(pbtxtTensors(config, 'output'), [
      { name: 'label', datatype: 'TYPE_STRING', dims: [-1] },
      { name: 'probabilities', datatype: 'TYPE_FP32', dims: [-1, 3] },
    ]);

    const manifestText = fs.readFileSync(path.join(f.dir, 'repo/inferenceservice.yaml'), 'utf8');
    const manifest = parseYaml(manifestText);
    assert.equal(manifest.kind, 'InferenceService');
    assert.equal(manifest.metadata.name, 'iris');
    assert.deepEqual(manifest.spec.predictor.model.modelFormat, { name: 'onnx' });
    assert.equal(manifest.spec.predictor.model.protocolVersion, 'v2');
    assert.match(manifest.spec.predictor.model.storageUri, /REPLACE/);
    assert.match(manifestText, /^# .*replace storageUri/m);

    // the same rows through ONNX Runtime and through the local server's two protocols
    const csv = fs.readFileSync(path.join(FIXTURE_DIR, 'iris.csv'), 'utf8');
    const data = datasetFromCsv(csv);
    const model = loadModel(Buffer.from(resolveRegisteredModel(f.project(), 'iris/2').bytes).toString('utf8'));
    const session = await ort.InferenceSession.create(onnxBytes);
    const out = await session.run({ X: onnxInput(model, data) });
    const labels = Array.from(out.label.data as string[]);
    const probabilities = out.probabilities.data as Float32Array;

    const rows = csv.trimEnd().split('\n').slice(1).map((line) => line.split(',').slice(0, 4).map(Number));
    const server = await startServer(f.project(), { references: ['iris@challenger'], port: 0, writeState: false });
    try {
      const mlflow = await postJson(server.url, '/invocations', { dataframe_split: { columns: IRIS_COLUMNS, data: rows } });
      assert.equal(mlflow.status, 200, mlflow.text);
      assert.equal(mlflow.headers['x-mlops-model-version'], '2');
      assert.equal(labels.length, 150);
      assert.deepEqual(mlflow.json().predictions, labels);

      const oip = await postJson(server.url, '/v2/models/iris/infer', { inputs: [{ name: 'input', datatype: 'FP64', shape: [rows.length, 4], data: rows.flat() }] });
      assert.equal(oip.status, 200, oip.text);
      const answer = oip.json();
      assert.equal(answer.model_version, '2');
      const byName = Object.fromEntries(answer.outputs.map((o: { name: string }) => [o.name, o]));
      assert.deepEqual(byName.prediction.data, labels);
      assert.deepEqual(byName.probabilities.shape, [150, 3]);
      const worst = Math.max(...byName.probabilities.data.map((p: number, i: number) => Math.abs(p - probabilities[i])));
      assert.ok(worst < 1e-5, `probabilities differ by up to ${worst}`);
    } finally {
      await server.close();
    }
  });
});
