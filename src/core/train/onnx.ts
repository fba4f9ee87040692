import { onnx } from 'onnx-proto';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { Ensemble } from './ensemble';
import { ForestBody } from './forest';
import { GbdtBody } from './gbdt';
import { LinearBody } from './linear';
import { Model } from './model';
import { FeatureSpec } from './schema';

/**
 * ONNX export (ai.onnx.ml operators) of the tree and linear families. The graph takes one float tensor X [N, F]:
 * the model's features in order, numbers as they are, categories as their code in the model's vocabulary
 * (docs/training.md), missing values as NaN. Linear graphs include their preprocessing (imputation, scaling,
 * one-hot); tree graphs need none. Classifiers output `label` [N] and `probabilities` [N, K]; regressors
 * `variable` [N, 1]. ONNX computes in float32, so predictions can differ from the engine's float64 ones in the
 * last digits, and a value within float32 rounding of a threshold can take the other branch.
 */
const ML = 'ai.onnx.ml';
const AttributeType = onnx.AttributeProto.AttributeType;
const DataType = onnx.TensorProto.DataType;
/** Categorical splits are expanded into chains of equality tests; this bounds the exported size. */
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
  const nFeatures = model.features.length;
  const classes = model.classes;
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  switch (model.family) {
    case 'gbdt': {
      const body = model.body as GbdtBody;
      const post = !classes ? 'NONE' : classes.length === 2 ? 'LOGISTIC' : 'SOFTMAX';
      nodes.push(treeNode(model, body.ensemble, 1, post, Array.from(body.baseline)));
      break;
    }
    case 'random_forest':
    case 'extra_trees': {
      const { ensemble } = model.body as ForestBody;
      nodes.push(treeNode(model, ensemble, 1 / ensemble.roots.length, 'NONE', null));
      break;
    }
    case 'linear':
      nodes.push(...linearNodes(model, model.body as LinearBody, initializers));
      break;
    default:
      throw new MlopsError(l10n.t('Models of the {0} family cannot be exported to ONNX.', model.family), l10n.t('Export a gbdt, random_forest, extra_trees or linear model (mlops train --families gbdt,random_forest,extra_trees,linear trains only those), or serve the model with MLOps Workbench.'));
  }
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

/** TreeEnsembleClassifier or Regressor; leaf values are multiplied by `weight` (1 / trees for averaging forests). */
function treeNode(model: Model, e: Ensemble, weight: number, post: string, baseline: number[] | null): onnx.INodeProto {
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
        throw new MlopsError(l10n.t('The model is too large to export to ONNX.'), l10n.t('Train with fewer trees, fewer leaves or fewer categories.'));
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
    // ONNX trees are strict trees (each node id once), so a categorical split becomes a chain of x == c tests
    // whose matching branch is a fresh copy of the subtree.
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
      if (e.catOffset[g] < 0) {
        const { id, index } = push(f, 'BRANCH_LEQ', e.threshold[g], e.missingLeft[g]);
        n.trueIds[index] = emit(e.left[g]);
        n.falseIds[index] = emit(e.right[g]);
        return id;
      }
      const spec = model.features[f] as Extract<FeatureSpec, { kind: 'categorical' }>;
      const inLeft = (c: number) => ((e.cats[e.catOffset[g] + (c >>> 5)] >>> (c & 31)) & 1) === 1;
      const leftCats = spec.vocabulary.map((_, c) => c).filter(inLeft);
      const rightCats = spec.vocabulary.map((_, c) => c).filter((c) => !inLeft(c));
      // Test the shorter list; missing values fail every equality test, so they reach the chain's end unless
      // the first test sends them to their side.
      const testLeft = leftCats.length <= rightCats.length;
      const tested = testLeft ? leftCats : rightCats;
      const [match, rest] = testLeft ? [e.left[g], e.right[g]] : [e.right[g], e.left[g]];
      const missingToMatch = e.missingLeft[g] === (testLeft ? 1 : 0) ? 1 : 0;
      let first = -1;
      let previous = -1;
      for (const c of tested) {
        const { id, index } = push(f, 'BRANCH_EQ', c, missingToMatch);
        if (previous >= 0) n.falseIds[previous] = id;
        else first = id;
        n.trueIds[index] = emit(match);
        previous = index;
      }
      const restId = emit(rest);
      if (previous < 0) return restId;
      n.falseIds[previous] = restId;
      return first;
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
    return node('TreeEnsembleRegressor', ['X'], ['variable'], [
      ...common,
      attr.int('n_targets', 1),
      attr.string('aggregate_function', 'SUM'),
      attr.ints('target_treeids', leaf.treeIds),
      attr.ints('target_nodeids', leaf.nodeIds),
      attr.ints('target_ids', leaf.ids),
      attr.floats('target_weights', leaf.weights),
    ], ML);
  }
  return node('TreeEnsembleClassifier', ['X'], ['label', 'probabilities'], [
    ...common,
    attr.strings('classlabels_strings', model.classes),
    attr.ints('class_treeids', leaf.treeIds),
    attr.ints('class_nodeids', leaf.nodeIds),
    attr.ints('class_ids', leaf.ids),
    attr.floats('class_weights', leaf.weights),
  ], ML);
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
