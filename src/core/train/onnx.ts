import { onnx } from 'onnx-proto';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { Ensemble } from './ensemble';
import { ForestBody } from './forest';
import { GbdtBody } from './gbdt';
import { LinearBody } from './linear';
import { ENSEMBLE, EnsembleParams, Model } from './model';
import { FeatureSpec, inputColumns } from './schema';

/**
 * ONNX export (ai.onnx.ml operators) of the tree and linear families. The graph takes one float tensor X [N, F]:
 * the model's features in order, numbers as they are, categories as their code in the model's vocabulary
 * (docs/training.md), missing values as NaN. Linear graphs include their preprocessing (imputation, scaling,
 * one-hot); tree graphs look up their categorical splits as extra 0/1 columns. Classifiers output `label` [N] and
 * `probabilities` [N, K]; regressors `variable` [N, 1]. ONNX computes in float32, so predictions can differ from the engine's float64 ones in the
 * last digits, and a value within float32 rounding of a threshold can take the other branch.
 */
const ML = 'ai.onnx.ml';
const AttributeType = onnx.AttributeProto.AttributeType;
const DataType = onnx.TensorProto.DataType;
/** Bounds the exported size: one ONNX node per tree node, whatever the data. */
const MAX_EXPORTED_NODES = 20_000_000;

type Attribute = onnx.IAttributeProto;
const utf8 = (s: string) => Buffer.from(s, 'utf8');
const attr = {
  floats: (name: string, values: ArrayLike<number>): Attribute => ({ name, type: AttributeType.FLOATS, floats: Array.from(values) }),
  ints: (name: string, values: ArrayLike<number>): Attribute => ({ name, type: AttributeType.INTS, ints: Array.from(values) }),
  strings: (name: string, values: readonly string[]): Attribute => ({ name, type: AttributeType.STRINGS, strings: values.map(utf8) }),
  string: (name: string, value: string): Attribute => ({ name, type: AttributeType.STRING, s: utf8(value) }),
  int: (name: string, value: number): Attribute => ({ name, type: AttributeType.INT, i: value }),
  float: (name: string, value: number): Attribute => ({ name, type: AttributeType.FLOAT, f: value }),
};

function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

function node(opType: string, inputs: string[], outputs: string[], attributes: Attribute[], domain = ''): onnx.INodeProto {
  return { opType, input: inputs, output: outputs, name: outputs[0], domain, attribute: attributes };
}

export function exportOnnx(model: Model): Uint8Array {
  // ONNX has no operator that reads a date out of text, and a graph fed precomputed parts would predict differently
  // from the model wherever its caller computed them differently.
  const dated = inputColumns(model.features).filter((c) => model.features.some((f) => f.kind === 'numeric' && f.datePart?.column === c));
  if (dated.length) {
    throw new MlopsError(
      l10n.t('The model computes date parts (year, month, day...) from {0}, which ONNX cannot express.', dated.join(', ')),
      l10n.t('Serve the model with MLOps Workbench (mlops predict), or train without the date: list it in training.ignore of mlops.yaml.'),
      'NOT_EXPORTABLE',
    );
  }
  const nFeatures = model.features.length;
  const classes = model.classes;
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  if (model.family === ENSEMBLE) ensembleNodes(model, nodes, initializers);
  else familyNodes(model, nodes, initializers);
  const outputs = classes ? [valueInfo('label', DataType.STRING, ['N']), valueInfo('probabilities', DataType.FLOAT, ['N', classes.length])] : [valueInfo('variable', DataType.FLOAT, ['N', 1])];
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'mlops-workbench',
    producerVersion: String(model.version),
    opsetImport: [
      { domain: '', version: 15 },
      { domain: ML, version: 3 },
    ],
    graph: {
      name: `${model.family}_${model.task.target}`,
      node: nodes,
      initializer: initializers,
      input: [valueInfo('X', DataType.FLOAT, ['N', nFeatures])],
      output: outputs,
    },
    metadataProps: [{ key: 'features', value: JSON.stringify(model.features) }],
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** One model of a tree or linear family, its outputs named label and probabilities, or variable. */
function familyNodes(model: Model, nodes: onnx.INodeProto[], initializers: onnx.ITensorProto[]): void {
  const classes = model.classes;
  switch (model.family) {
    case 'gbdt': {
      const body = model.body as GbdtBody;
      const post = !classes ? 'NONE' : classes.length === 2 ? 'LOGISTIC' : 'SOFTMAX';
      nodes.push(...treeNodes(model, body.ensemble, 1, post, Array.from(body.baseline), initializers));
      break;
    }
    case 'random_forest':
    case 'extra_trees': {
      const { ensemble } = model.body as ForestBody;
      nodes.push(...treeNodes(model, ensemble, 1 / ensemble.roots.length, 'NONE', null, initializers));
      break;
    }
    case 'linear':
      nodes.push(...linearNodes(model, model.body as LinearBody, initializers));
      break;
    default:
      throw new MlopsError(l10n.t('Models of the {0} family cannot be exported to ONNX.', model.family), l10n.t('Export a gbdt, random_forest, extra_trees or linear model (mlops train --families gbdt,random_forest,extra_trees,linear trains only those), or serve the model with MLOps Workbench.'));
  }
}

/**
 * Each member's graph under its own prefix, all reading X; their probabilities (or values) multiplied by their
 * weights and summed, as the engine averages them. The label is the class of the largest averaged probability
 * (ArgMax keeps the first of equal ones, as the engine does).
 */
function ensembleNodes(model: Model, nodes: onnx.INodeProto[], initializers: onnx.ITensorProto[]): void {
  const { members } = model.body as { members: readonly Model[] };
  const { weights } = model.params as unknown as EnsembleParams;
  const total = weights.reduce((a, b) => a + b, 0);
  const output = model.classes ? 'probabilities' : 'variable';
  const weighted: string[] = [];
  for (const [i, member] of members.entries()) {
    const own: onnx.INodeProto[] = [];
    const ownInitializers: onnx.ITensorProto[] = [];
    try {
      familyNodes(member, own, ownInitializers);
    } catch (err) {
      if (!(err instanceof MlopsError)) throw err;
      throw new MlopsError(
        l10n.t('The ensemble has a {0} member, which cannot be exported to ONNX: {1}', member.family, err.message),
        l10n.t('Serve the ensemble with MLOps Workbench (mlops predict), or train with --families gbdt,random_forest,extra_trees,linear so that every member can be exported.'),
        'NOT_EXPORTABLE',
      );
    }
    const rename = (name: string) => (name === 'X' ? name : `m${i}_${name}`);
    for (const n of own) nodes.push({ ...n, input: n.input!.map(rename), output: n.output!.map(rename), name: rename(n.name!) });
    for (const t of ownInitializers) initializers.push({ ...t, name: rename(t.name!) });
    initializers.push({ name: `m${i}_weight`, dataType: DataType.FLOAT, dims: [], floatData: [weights[i] / total] });
    nodes.push(node('Mul', [rename(output), `m${i}_weight`], [`m${i}_weighted`], []));
    weighted.push(`m${i}_weighted`);
  }
  nodes.push(node('Sum', weighted, [output], []));
  if (!model.classes) return;
  nodes.push(node('ArgMax', ['probabilities'], ['label_index'], [attr.int('axis', 1), attr.int('keepdims', 0)]));
  nodes.push(node('LabelEncoder', ['label_index'], ['label'], [attr.ints('keys_int64s', model.classes.map((_, k) => k)), attr.strings('values_strings', model.classes), attr.string('default_string', '')], ML));
}

/**
 * A categorical split as the trees test it in ONNX: one derived column per distinct (feature, categories going left,
 * side of missing values), 0 for rows that go left and 1 for the others, so the node is a plain `x <= 0.5` test.
 * The column is looked up per row from a small table indexed by the category code (missing codes read its last row).
 * Tree ensembles of ai.onnx.ml have no set-membership test: the alternative, chains of equality tests each with its
 * own copy of the subtree, grows exponentially with nested splits on a many-valued column.
 */
function categoricalSplitColumns(model: Model, e: Ensemble, nodes: onnx.INodeProto[], initializers: onnx.ITensorProto[]): { input: string; columnOf: Map<number, number> } {
  // Per categorical feature, its distinct splits (a table column each, in order of first use), keyed by their column.
  const byFeature = new Map<number, Map<string, number[]>>();
  const splitOf = new Map<number, { f: number; key: string }>();
  for (let g = 0; g < e.feature.length; g++) {
    const f = e.feature[g];
    if (f < 0 || e.catOffset[g] < 0) continue;
    const spec = model.features[f] as Extract<FeatureSpec, { kind: 'categorical' }>;
    const goesRight = spec.vocabulary.map((_, c) => ((e.cats[e.catOffset[g] + (c >>> 5)] >>> (c & 31)) & 1) === 1 ? 0 : 1);
    goesRight.push(e.missingLeft[g] ? 0 : 1);
    const key = goesRight.join('');
    const splits = byFeature.get(f) ?? new Map<string, number[]>();
    splits.set(key, goesRight);
    byFeature.set(f, splits);
    splitOf.set(g, { f, key });
  }
  if (byFeature.size === 0) return { input: 'X', columnOf: new Map() };
  const pieces = ['X'];
  const columnOfSplit = new Map<string, number>();
  let next = model.features.length;
  for (const [f, splits] of [...byFeature].sort((a, b) => a[0] - b[0])) {
    const name = `split_${f}`;
    const columns = [...splits.values()];
    for (const key of splits.keys()) columnOfSplit.set(`${f}:${key}`, next++);
    const rows = columns[0].length;
    initializers.push({ name: `${name}_idx`, dataType: DataType.INT64, dims: [1], int64Data: [f] });
    initializers.push({ name: `${name}_table`, dataType: DataType.FLOAT, dims: [rows, columns.length], floatData: Array.from({ length: rows * columns.length }, (_, i) => columns[i % columns.length][Math.floor(i / columns.length)]) });
    nodes.push(node('Gather', ['X', `${name}_idx`], [`${name}_code`], [attr.int('axis', 1)]));
    nodes.push(node('Imputer', [`${name}_code`], [`${name}_filled`], [attr.floats('imputed_value_floats', [rows - 1]), attr.float('replaced_value_float', NaN)], ML));
    nodes.push(node('Cast', [`${name}_filled`], [`${name}_row`], [attr.int('to', DataType.INT64)]));
    nodes.push(node('Gather', [`${name}_table`, `${name}_row`], [`${name}_looked_up`], [attr.int('axis', 0)]));
    nodes.push(node('Flatten', [`${name}_looked_up`], [name], [attr.int('axis', 1)]));
    pieces.push(name);
  }
  nodes.push(node('Concat', pieces, ['X_with_splits'], [attr.int('axis', 1)]));
  return { input: 'X_with_splits', columnOf: new Map([...splitOf].map(([g, { f, key }]) => [g, columnOfSplit.get(`${f}:${key}`)!])) };
}

/**
 * TreeEnsembleClassifier or Regressor, after the categorical split columns; leaf values are multiplied by `weight`
 * (1 / trees for averaging forests).
 */
function treeNodes(model: Model, e: Ensemble, weight: number, post: string, baseline: number[] | null, initializers: onnx.ITensorProto[]): onnx.INodeProto[] {
  const nodes: onnx.INodeProto[] = [];
  const { input, columnOf } = categoricalSplitColumns(model, e, nodes, initializers);
  const n = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    missingTrue: [] as number[],
  };
  const leaf = { treeIds: [] as number[], nodeIds: [] as number[], ids: [] as number[], weights: [] as number[] };
  // ONNX Runtime reads a two-class TreeEnsembleClassifier as a binary one: its label is the second class whenever
  // that class's score is positive, not the larger of the two. A forest's leaves hold both classes' vote shares, so
  // for two classes only the second class's share is written, as one score; the runtime then thresholds it at 0.5
  // and reports 1 - p for the first class, as the engine does.
  const oneScore = model.classes?.length === 2 && e.width === 2;
  for (let t = 0; t < e.roots.length; t++) {
    let nextId = 0;
    const push = (feature: number, mode: string, value: number, missingTrue: number) => {
      if (n.treeIds.length >= MAX_EXPORTED_NODES) {
        throw new MlopsError(l10n.t('The model is too large to export to ONNX.'), l10n.t('Train with fewer trees or fewer leaves.'));
      }
      n.treeIds.push(t);
      n.nodeIds.push(nextId);
      n.featureIds.push(feature);
      n.modes.push(mode);
      n.values.push(value);
      n.trueIds.push(0);
      n.falseIds.push(0);
      n.missingTrue.push(missingTrue);
      return { id: nextId++, index: n.treeIds.length - 1 };
    };
    const emit = (g: number): number => {
      const f = e.feature[g];
      if (f < 0) {
        const { id } = push(0, 'LEAF', 0, 0);
        for (let k = oneScore ? 1 : 0; k < e.width; k++) {
          leaf.treeIds.push(t);
          leaf.nodeIds.push(id);
          leaf.ids.push(oneScore ? 0 : e.treeOutput[t] + k);
          leaf.weights.push(e.value[g * e.width + k] * weight);
        }
        return id;
      }
      const split = columnOf.get(g);
      const { id, index } = split === undefined ? push(f, 'BRANCH_LEQ', e.threshold[g], e.missingLeft[g]) : push(split, 'BRANCH_LEQ', 0.5, 0);
      n.trueIds[index] = emit(e.left[g]);
      n.falseIds[index] = emit(e.right[g]);
      return id;
    };
    emit(e.roots[t]);
  }
  const common: Attribute[] = [
    attr.ints('nodes_treeids', n.treeIds),
    attr.ints('nodes_nodeids', n.nodeIds),
    attr.ints('nodes_featureids', n.featureIds),
    attr.strings('nodes_modes', n.modes),
    attr.floats('nodes_values', n.values),
    attr.ints('nodes_truenodeids', n.trueIds),
    attr.ints('nodes_falsenodeids', n.falseIds),
    attr.ints('nodes_missing_value_tracks_true', n.missingTrue),
    attr.string('post_transform', post),
    ...(baseline ? [attr.floats('base_values', baseline)] : []),
  ];
  if (!model.classes) {
    nodes.push(node('TreeEnsembleRegressor', [input], ['variable'], [
      ...common,
      attr.int('n_targets', 1),
      attr.string('aggregate_function', 'SUM'),
      attr.ints('target_treeids', leaf.treeIds),
      attr.ints('target_nodeids', leaf.nodeIds),
      attr.ints('target_ids', leaf.ids),
      attr.floats('target_weights', leaf.weights),
    ], ML));
    return nodes;
  }
  nodes.push(node('TreeEnsembleClassifier', [input], ['label', 'probabilities'], [
    ...common,
    attr.strings('classlabels_strings', model.classes),
    attr.ints('class_treeids', leaf.treeIds),
    attr.ints('class_nodeids', leaf.nodeIds),
    attr.ints('class_ids', leaf.ids),
    attr.floats('class_weights', leaf.weights),
  ], ML));
  return nodes;
}

/**
 * Preprocessing then the linear operator: numeric columns are gathered, imputed with the training mean and scaled;
 * each categorical column is gathered, its missing code replaced by -1 (no category), cast to int64 and one-hot
 * encoded. The pieces are concatenated numeric first, so the coefficients are reordered to match.
 */
function linearNodes(model: Model, body: LinearBody, initializers: onnx.ITensorProto[]): onnx.INodeProto[] {
  const { design, coef, intercept } = body;
  const nodes: onnx.INodeProto[] = [];
  const pieces: string[] = [];
  const order: number[] = [];
  const gather = (name: string, indices: number[]) => {
    initializers.push({ name: `${name}_idx`, dataType: DataType.INT64, dims: [indices.length], int64Data: indices });
    nodes.push(node('Gather', ['X', `${name}_idx`], [name], [attr.int('axis', 1)]));
  };
  const numeric = model.features.map((f, i) => (f.kind === 'numeric' ? i : -1)).filter((i) => i >= 0);
  if (numeric.length > 0) {
    gather('numeric', numeric);
    nodes.push(node('Imputer', ['numeric'], ['numeric_imputed'], [attr.floats('imputed_value_floats', numeric.map((f) => design.mean[f])), attr.float('replaced_value_float', NaN)], ML));
    nodes.push(node('Scaler', ['numeric_imputed'], ['numeric_scaled'], [attr.floats('offset', numeric.map((f) => design.mean[f])), attr.floats('scale', numeric.map((f) => 1 / design.scale[f]))], ML));
    pieces.push('numeric_scaled');
    order.push(...numeric.map((f) => design.offset[f]));
  }
  model.features.forEach((spec, f) => {
    if (spec.kind !== 'categorical') return;
    const name = `category_${f}`;
    gather(name, [f]);
    nodes.push(node('Imputer', [name], [`${name}_filled`], [attr.floats('imputed_value_floats', [-1]), attr.float('replaced_value_float', NaN)], ML));
    nodes.push(node('Cast', [`${name}_filled`], [`${name}_int`], [attr.int('to', DataType.INT64)]));
    nodes.push(node('OneHotEncoder', [`${name}_int`], [`${name}_onehot3d`], [attr.ints('cats_int64s', spec.vocabulary.map((_, c) => c)), attr.int('zeros', 1)], ML));
    nodes.push(node('Flatten', [`${name}_onehot3d`], [`${name}_onehot`], [attr.int('axis', 1)]));
    pieces.push(`${name}_onehot`);
    for (let c = 0; c < spec.vocabulary.length; c++) order.push(design.offset[f] + c);
  });
  nodes.push(node('Concat', pieces, ['design'], [attr.int('axis', 1)]));
  const width = design.width;
  const nOut = intercept.length;
  const rows = (o: number) => order.map((j) => coef[o * width + j]);
  if (!model.classes) {
    nodes.push(node('LinearRegressor', ['design'], ['variable'], [attr.floats('coefficients', rows(0)), attr.floats('intercepts', [intercept[0]]), attr.int('targets', 1)], ML));
    return nodes;
  }
  // Binary models hold one logit; as two rows [0, w] under softmax they give exactly [1 - sigmoid, sigmoid].
  const coefficients = nOut === 1 ? [...order.map(() => 0), ...rows(0)] : Array.from({ length: nOut }, (_, o) => rows(o)).flat();
  const intercepts = nOut === 1 ? [0, intercept[0]] : Array.from(intercept);
  nodes.push(
    node('LinearClassifier', ['design'], ['label', 'probabilities'], [
      attr.floats('coefficients', coefficients),
      attr.floats('intercepts', intercepts),
      attr.strings('classlabels_strings', model.classes),
      attr.string('post_transform', 'SOFTMAX'),
    ], ML),
  );
  return nodes;
}
