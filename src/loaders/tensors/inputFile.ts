import type { Tensor } from '../../engine/tensor';
import type { ValueInfo } from '../../model/ir';
import type { ImagePreprocess } from './image';
import { imageInputs } from './image';
import { bindInputs, decodeTensorFile } from './index';
import { decodePng } from './png';

/** Is this input file an image (read with {@link decodePng} and preprocessed) rather than a tensor file? */
export function isImageFile(file: string): boolean {
  return /\.png$/i.test(file);
}

/**
 * The inputs a model runs on from one input file: a PNG image, preprocessed for the model's single input
 * (`preprocess` applies only to images), or a tensor file (JSON, `.npy`) bound to the inputs by name. Every
 * refusal is a TensorFileError naming the file.
 */
export function readInputFile(file: string, bytes: Uint8Array, inputs: readonly ValueInfo[], preprocess: ImagePreprocess = {}): Map<string, Tensor> {
  if (isImageFile(file)) return imageInputs(file, decodePng(file, bytes), preprocess, inputs);
  return bindInputs(file, decodeTensorFile(file, bytes), inputs);
}
