// A minimal ONNX ModelProto encoder (protobuf wire format written by hand, no Python, no
// protobuf library) for the benchmark's competitor: scores = items x query, optionally
// the max over Q queries, then TopK(k) along the items axis.
//
//   items   [N, dim] float   initializer (the catalog is constant, as in a deployment;
//                            feeding 25.6 MB as an input on every run would measure a copy)
//   query   [dim, Q] float   graph input
//   MatMul(items, query) -> scores [N, Q]
//   Q > 1: ReduceMax(axes=[1], keepdims=1) -> best [N, 1]
//   TopK(best, K = [k], axis = 0) -> values [k, 1], indices [k, 1]   (outputs)
// Opset 13 (ReduceMax takes axes as an attribute there).

const enc = new TextEncoder();

function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => [...key(field, 0), ...varint(n)];
function bytes(field, data) {
  const b = typeof data === 'string' ? enc.encode(data) : data;
  const out = new Uint8Array(key(field, 2).length + varint(b.length).length + b.length);
  out.set([...key(field, 2), ...varint(b.length)]);
  out.set(b, out.length - b.length);
  return out;
}
function concat(parts) {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of arrays) out.set(a, o), (o += a.length);
  return out;
}
const msg = (field, ...parts) => bytes(field, concat(parts));

const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;
const ATTR_INTS = 7;

// ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 } } } } }
const valueInfo = (field, name, elemType, dims) =>
  msg(field, bytes(1, name), msg(2, msg(1, int(1, elemType), msg(2, ...dims.map((d) => msg(1, int(1, d)))))));
// AttributeProto { name = 1, i = 3, ints = 8, type = 20 }
const attrInt = (name, v) => msg(5, bytes(1, name), int(3, v), int(20, ATTR_INT));
const attrInts = (name, vs) => msg(5, bytes(1, name), ...vs.map((v) => int(8, v)), int(20, ATTR_INTS));
// NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 }
const node = (op, inputs, outputs, ...attrs) =>
  msg(1, ...inputs.map((s) => bytes(1, s)), ...outputs.map((s) => bytes(2, s)), bytes(3, op + '_' + outputs[0]), bytes(4, op), ...attrs);
// TensorProto { dims = 1, data_type = 2, name = 8, raw_data = 9 }
function tensor(field, name, type, dims, data) {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return msg(field, ...dims.map((d) => int(1, d)), int(2, type), bytes(8, name), bytes(9, raw));
}

/** The .onnx bytes of the MatMul (+ ReduceMax) + TopK model over a constant item matrix. */
export function buildTopKModel({ items, n, dim, queries = 1, k }) {
  const nodes = [node('MatMul', ['items', 'query'], ['scores'])];
  let best = 'scores';
  if (queries > 1) {
    nodes.push(node('ReduceMax', ['scores'], ['best'], attrInts('axes', [1]), attrInt('keepdims', 1)));
    best = 'best';
  }
  nodes.push(node('TopK', [best, 'K'], ['values', 'indices'], attrInt('axis', 0), attrInt('largest', 1), attrInt('sorted', 1)));
  const graph = msg(
    7,
    ...nodes,
    bytes(2, 'score_topk'),
    tensor(5, 'items', FLOAT, [n, dim], items),
    tensor(5, 'K', INT64, [1], BigInt64Array.of(BigInt(k))),
    valueInfo(11, 'query', FLOAT, [dim, queries]),
    valueInfo(12, 'values', FLOAT, [k, 1]),
    valueInfo(12, 'indices', INT64, [k, 1]),
  );
  // ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 { domain = 1, version = 2 } }
  return concat([int(1, 8), bytes(2, 'interest-engine-bench'), graph, msg(8, bytes(1, ''), int(2, 13))]);
}
