/**
 * A tensor file (model input or output: tensor JSON, `.npy`) that cannot be read, or that does not fit the
 * model it is given to. The message is one sentence for the user that names the file, the tensor and what
 * was expected.
 */
export class TensorFileError extends Error {
  override readonly name = 'TensorFileError';
  constructor(
    message: string,
    /** The file as the user named it. */
    readonly file: string,
  ) {
    super(message);
  }
}

/** Throws a {@link TensorFileError} whose message starts with the file name. */
export function failFile(file: string, message: string): never {
  throw new TensorFileError(`${file}: ${message}`, file);
}
