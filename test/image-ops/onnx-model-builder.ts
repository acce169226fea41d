import protobuf from "protobufjs";

/** The few messages of onnx.proto (onnx/onnx, field numbers as there) a test model needs: a graph of
 * ReduceMean/Mul/Add nodes with float tensors and named inputs/outputs. */
const ONNX_SUBSET = `
syntax = "proto3";
package onnx;
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; repeated float float_data = 4; string name = 8; }
message AttributeProto { string name = 1; int64 i = 3; int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; repeated AttributeProto attribute = 5; }
message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
message TensorShapeProto { repeated Dimension dim = 1; }
message TensorTypeProto { int32 elem_type = 1; TensorShapeProto shape = 2; }
message TypeProto { TensorTypeProto tensor_type = 1; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message GraphProto { repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message StringStringEntryProto { string key = 1; string value = 2; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; repeated StringStringEntryProto metadata_props = 14; }
`;

const FLOAT = 1;
const INT_ATTRIBUTE = 2;

const Model = protobuf.parse(ONNX_SUBSET, { keepCase: true }).root.lookupType("onnx.ModelProto");

const valueInfo = (name: string, dims: ReadonlyArray<number | string>) => ({
  name,
  type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => (typeof d === "string" ? { dim_param: d } : { dim_value: d })) } } },
});

export interface YoloTestModel {
  /** Input side in px (square): the model's input is [1, 3, size, size] float32, named "images". */
  size: number;
  /** The raw output, YOLOv8 layout [1, 4 + classes, candidates]: row-major, channel first. */
  output: Float32Array;
  classes: number;
  candidates: number;
  /** Declare the input's height and width as symbolic ("height", "width"), as a dynamic export does. Default: false. */
  dynamic?: boolean;
  /** ultralytics' `names` metadata, e.g. "{0: 'person', 1: 'car'}". Default: none. */
  names?: string;
}

/**
 * Serialises an ONNX model with YOLOv8's input and output layout whose output is `output` plus
 * 0 × the mean of the input: the input is really read (its shape checked by the runtime), and the
 * detections are known exactly, in model-input pixels.
 */
export function buildYoloTestModel(m: YoloTestModel): Uint8Array {
  const outDims = [1, 4 + m.classes, m.candidates];
  if (m.output.length !== outDims.reduce((a, b) => a * b, 1)) throw new Error("output length does not match [1, 4+classes, candidates]");
  const tensor = (name: string, dims: number[], data: Iterable<number>) => ({ name, dims, data_type: FLOAT, float_data: [...data] });
  const graph = {
    name: "yolo_test",
    initializer: [tensor("known", outDims, m.output), tensor("zero", [], [0])],
    node: [
      { op_type: "ReduceMean", input: ["images"], output: ["mean"], name: "mean", attribute: [{ name: "keepdims", i: 0, type: INT_ATTRIBUTE }] },
      { op_type: "Mul", input: ["mean", "zero"], output: ["nothing"], name: "times_zero" },
      { op_type: "Add", input: ["known", "nothing"], output: ["output0"], name: "add" },
    ],
    input: [valueInfo("images", m.dynamic ? [1, 3, "height", "width"] : [1, 3, m.size, m.size])],
    output: [valueInfo("output0", outDims)],
  };
  const model = {
    ir_version: 8,
    producer_name: "vs3d-test",
    opset_import: [{ domain: "", version: 17 }],
    graph,
    metadata_props: m.names === undefined ? [] : [{ key: "names", value: m.names }],
  };
  const err = Model.verify(model);
  if (err) throw new Error(err);
  return Model.encode(Model.fromObject(model)).finish();
}

/** Packs candidates given as [cx, cy, w, h, ...scores] rows into the channel-first output. */
export function yoloOutput(rows: readonly (readonly number[])[], classes: number): Float32Array {
  const channels = 4 + classes;
  const out = new Float32Array(channels * rows.length);
  rows.forEach((row, i) => {
    if (row.length !== channels) throw new Error(`row ${i} has ${row.length} values, want ${channels}`);
    row.forEach((v, c) => (out[c * rows.length + i] = v));
  });
  return out;
}
