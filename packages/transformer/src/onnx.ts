export type { ExportOnnxOptions } from './onnx/exportOnnx.js';
export { exportOnnx } from './onnx/exportOnnx.js';
export type { OnnxTransformerOptions } from './onnx/onnxTransformer.js';
export { OnnxKvCache, OnnxTransformer } from './onnx/onnxTransformer.js';
