import { onnx } from '../../../src/loaders/onnx/proto';
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/engine/tensor';
import { openModel } from '../../../src/loaders/registry';
import { encodeModel, load, modelProto, refusal, relu } from './onnxHelpers';
import { MemorySource } from './memorySource';

/**
 * Broken and hostile ONNX files: each is refused with one sentence (a ModelError naming the file and the
 * node or tensor), never a crash, a hang or a read outside the model's folder.
 */


/** A model whose initializer `w` (float32 [count]) keeps its data in `location`. */
function externalModel(location: string, count: number, entries: Record<string, string> = {}): Uint8Array {
  const m = modelProto({
    inputs: [{ name: 'x', dtype: 'float32', shape: [count] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [count] }],
    nodes: [{ op: 'Add', name: 'add', inputs: ['x', 'w'], outputs: ['y'] }],
  });
  m.graph!.initializer = [{
    name: 'w', dims: [count], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: Object.entries({ location, ...entries }).map(([key, value]) => ({ key, value })),
  }];
  return encodeModel(m);
}

describe('ONNX loader: bad input', () => {
  it('refuses a truncated protobuf', async () => {
    const bytes = encodeModel(relu);
    const e = await refusal(load(bytes.subarray(0, Math.floor(bytes.length / 2))));
    expect(e.message).toMatch(/^model\.onnx is not a valid ONNX model: its protobuf data is truncated or corrupt/);
  });

  it('refuses a protobuf that is not a model', async () => {
    // A well-formed protobuf holding only field 3 (a string): it decodes, but has no graph.
    const e = await refusal(load(Uint8Array.of(0x1a, 0x03, 0x61, 0x62, 0x63)));
    expect(e.message).toBe('model.onnx is a protobuf but not an ONNX model: it has no graph.');
    const tensor = onnx.TensorProto.encode({ name: 't', dims: [2], dataType: 1, floatData: [1, 2] }).finish();
    expect((await refusal(load(tensor))).message).toMatch(/^model\.onnx is (not a valid ONNX model|a protobuf but not an ONNX model)/);
    expect((await refusal(load(new TextEncoder().encode('{"not": "onnx"}')))).message).toMatch(/model\.onnx is/);
  });

  it('refuses a graph with a cycle, naming a node on it', async () => {
    const e = await refusal(load(encodeModel({
      ...relu,
      nodes: [
        { op: 'Add', name: 'add', inputs: ['x', 'b'], outputs: ['a'] },
        { op: 'Relu', name: 'relu', inputs: ['a'], outputs: ['b'] },
        { op: 'Identity', name: 'out', inputs: ['b'], outputs: ['y'] },
      ],
    })));
    expect(e.message).toMatch(/^model\.onnx: node '(add|relu)' \((Add|Relu)\) is part of a cycle \(.*\); an ONNX graph must be acyclic\.$/);
  });

  it('refuses a node that reads an undefined value, naming it', async () => {
    const e = await refusal(load(encodeModel({ ...relu, nodes: [{ op: 'Add', name: 'add', inputs: ['x', 'ghost'], outputs: ['y'] }] })));
    expect(e.message).toBe("model.onnx: node 'add' (Add) reads 'ghost', which no node, graph input or initializer defines.");
  });

  it('refuses two nodes that define the same value', async () => {
    const e = await refusal(load(encodeModel({
      ...relu,
      nodes: [{ op: 'Relu', name: 'a', inputs: ['x'], outputs: ['y'] }, { op: 'Neg', name: 'b', inputs: ['x'], outputs: ['y'] }],
    })));
    expect(e.message).toBe("model.onnx: node 'b' (Neg) defines 'y', which node 'a' (Relu) already defines.");
  });

  it('refuses external data outside the model folder without reading anything', async () => {
    for (const location of ['../secret.bin', '/etc/passwd', 'sub/../../x.bin', 'C:\\w.bin']) {
      const source = new MemorySource('model.onnx', externalModel(location, 2), { 'secret.bin': new Uint8Array(8) });
      const e = await refusal(openModel(source));
      expect(e.message).toBe(
        `model.onnx: initializer 'w' keeps its data in another file, but its location '${location}' is outside the model's folder, which Layerstep refuses to read.`);
      expect([...source.reads, ...source.stats]).toEqual([]);
    }
  });

  it('refuses a claimed external size beyond the file', async () => {
    const source = new MemorySource('model.onnx', externalModel('w.bin', 4), { 'w.bin': new Uint8Array(8) });
    expect((await refusal(openModel(source))).message).toBe(
      "model.onnx: initializer 'w' keeps its data in another file, but it claims bytes 0 to 16 of 'w.bin', which has only 8 bytes.");
    const offset = new MemorySource('model.onnx', externalModel('w.bin', 2, { offset: '4', length: '8' }), { 'w.bin': new Uint8Array(8) });
    expect((await refusal(openModel(offset))).message).toMatch(/claims bytes 4 to 12 of 'w\.bin', which has only 8 bytes\.$/);
    expect(source.reads).toEqual([]);
  });

  it('refuses external data beyond the byte budget before reading it', async () => {
    const source = new MemorySource('model.onnx', externalModel('w.bin', 100), { 'w.bin': new Uint8Array(400) });
    const e = await refusal(openModel(source, { maxBytes: 256 }));
    expect(e.message).toBe("model.onnx: initializer 'w' needs 400 bytes, which takes the model past the 256 bytes allowed (maxBytes).");
    expect(source.reads).toEqual([]);
  });

  it('refuses an initializer whose data does not fill its shape, and one larger than the budget', async () => {
    const m = modelProto({ ...relu, initializers: { w: Tensor.from([2], [1, 2]) } });
    m.graph!.initializer![0].dims = [3];
    expect((await refusal(load(encodeModel(m)))).message).toBe(
      "model.onnx: initializer 'w' holds 2 values (8 bytes of float) but its shape [3] needs 3.");
    const huge = modelProto({ ...relu, initializers: { w: Tensor.from([2], [1, 2]) } });
    huge.graph!.initializer![0] = { name: 'w', dims: [1e6, 1e6], dataType: 1 };
    expect((await refusal(load(encodeModel(huge)))).message).toBe(
      "model.onnx: initializer 'w' holds 0 values but its shape [1000000, 1000000] needs 1000000000000.");
  });

  it('refuses IR versions before 3 and graph inputs that are not tensors', async () => {
    expect((await refusal(load(encodeModel({ ...relu, irVersion: 2 })))).message).toMatch(/uses ONNX IR version 2; Layerstep reads IR version 3 and later/);
    const m = modelProto(relu);
    m.graph!.input = [{ name: 'x', type: { sequenceType: { elemType: { tensorType: { elemType: 1 } } } } }];
    expect((await refusal(load(encodeModel(m)))).message).toBe("model.onnx: graph input 'x' is a sequence; Layerstep runs models on tensors only.");
  });
});
