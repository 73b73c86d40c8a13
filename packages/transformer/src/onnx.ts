export type { ExportOnnxOptions } from './onnx/exportOnnx.js';
export { exportOnnx } from './onnx/exportOnnx.js';
export { OnnxKvCache } from './onnx/onnxKvCache.js';
export type { OnnxTransformerOptions } from './onnx/onnxTransformer.js';
export { OnnxTransformer } from './onnx/onnxTransformer.js';
