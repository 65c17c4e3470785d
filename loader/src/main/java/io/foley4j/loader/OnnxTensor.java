package io.foley4j.loader;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * An ONNX {@code TensorProto} with its values as little-endian row-major bytes in {@code data}: a zero-copy slice of
 * the model file when it used {@code raw_data}, a heap copy when it used the typed fields ({@code float_data},
 * {@code int32_data}...). STRING tensors have empty {@code data} and their values in {@code strings}.
 */
public record OnnxTensor(String name, OnnxDataType type, long[] dims, MemorySegment data, List<byte[]> strings) {

    @Override public long[] dims() { return dims.clone(); }

    public long numel() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Zero-copy engine view (FLOAT, FLOAT16, BFLOAT16, INT32, INT64), or null for types the engine lacks. */
    public Tensor toTensor() {
        DType d = type.safetensors == null ? null : type.safetensors.engine;
        if (d == null) return null;
        int[] shape = new int[dims.length];
        for (int i = 0; i < shape.length; i++) shape[i] = Math.toIntExact(dims[i]);
        return Tensor.of(d, data, shape);
    }

    /** Values as floats, for types whose safetensors equivalent converts ({@link SafetensorsDType#toF32}). */
    public float[] toFloats() {
        SafetensorsDType t = type.safetensors;
        if (t == null || !t.toF32) throw new UnsupportedOperationException("OnnxTensor " + name + ": " + type + " has no float view");
        float[] out = new float[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) out[i] = t.getAsFloat(data, i);
        return out;
    }

    @Override
    public String toString() {
        return "OnnxTensor[" + name + " " + type + Arrays.toString(dims) + "]";
    }
}
