package io.foley4j.loader;

import io.foley4j.kernels.Mem;
import io.foley4j.loader.ProtoReader.Longs;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a {@code TensorProto} into an {@link OnnxTensor}. Typed fields are re-packed as little-endian bytes of the
 * tensor's type: float_data (FLOAT, COMPLEX64), int32_data (INT32 and every narrower type, one value per element),
 * int64_data (INT64), double_data (DOUBLE, COMPLEX128), uint64_data (UINT32, UINT64), string_data (STRING).
 */
final class OnnxTensors {
    private OnnxTensors() {}

    static OnnxTensor read(String src, ProtoReader r) throws WeightsFormatException {
        Longs dims = new Longs(), f32 = new Longs(), i32 = new Longs(), i64 = new Longs(), f64 = new Longs(), u64 = new Longs();
        List<byte[]> strings = new ArrayList<>();
        long type = 0, location = 0;
        String name = "";
        MemorySegment raw = null;
        boolean external = false;
        while (r.more()) {
            int tag = r.tag();
            switch (ProtoReader.field(tag)) {
                case 1 -> r.varints(tag, dims);
                case 2 -> { r.expect(tag, ProtoReader.VARINT); type = r.varint(); }
                case 4 -> r.fixeds(tag, ProtoReader.I32, f32);
                case 5 -> r.varints(tag, i32);
                case 6 -> { r.expect(tag, ProtoReader.LEN); strings.add(r.bytes().toArray(Mem.I8)); }
                case 7 -> r.varints(tag, i64);
                case 8 -> { r.expect(tag, ProtoReader.LEN); name = r.string(); }
                case 9 -> { r.expect(tag, ProtoReader.LEN); raw = r.bytes(); }
                case 10 -> r.fixeds(tag, ProtoReader.I64, f64);
                case 11 -> r.varints(tag, u64);
                case 13 -> { r.skip(tag); external = true; }
                case 14 -> { r.expect(tag, ProtoReader.VARINT); location = r.varint(); }
                default -> r.skip(tag);
            }
        }
        if (external || location == 1) {
            throw new WeightsFormatException(src, name, "stores its data in an external file, which is not supported;"
                    + " save the model with all tensors inside the .onnx file");
        }
        OnnxDataType t = OnnxDataType.of(type);
        if (t == null || t == OnnxDataType.UNDEFINED) throw new WeightsFormatException(src, name, "unknown data_type " + type);
        long[] d = dims.toArray();
        long numel = 1, bytes;
        try {
            for (long x : d) {
                if (x < 0) throw new WeightsFormatException(src, name, "negative dimension in " + Arrays.toString(d));
                numel = Math.multiplyExact(numel, x);
            }
            bytes = t.byteSize(numel);
        } catch (ArithmeticException e) {
            throw new WeightsFormatException(src, name, "dims " + Arrays.toString(d) + " overflow");
        }
        if (t == OnnxDataType.STRING) {
            if (strings.size() != numel) throw new WeightsFormatException(src, name, strings.size() + " strings for dims " + Arrays.toString(d));
            return new OnnxTensor(name, t, d, MemorySegment.ofArray(new byte[0]), List.copyOf(strings));
        }
        MemorySegment data = raw != null ? raw : typed(src, name, t, numel, f32, i32, i64, f64, u64);
        if (data.byteSize() != bytes) {
            throw new WeightsFormatException(src, name, t + Arrays.toString(d) + " needs " + bytes + " bytes, its data holds "
                    + data.byteSize());
        }
        return new OnnxTensor(name, t, d, data, List.of());
    }

    private static MemorySegment typed(String src, String name, OnnxDataType t, long numel, Longs f32, Longs i32, Longs i64,
                                       Longs f64, Longs u64) throws WeightsFormatException {
        Longs values;
        int size;
        switch (t) {
            case FLOAT, COMPLEX64 -> { values = f32; size = 4; }
            case INT64 -> { values = i64; size = 8; }
            case DOUBLE, COMPLEX128 -> { values = f64; size = 8; }
            case UINT64 -> { values = u64; size = 8; }
            case UINT32 -> { values = u64; size = 4; }
            case UINT4, INT4, FLOAT4E2M1 -> {
                if (numel == 0) return MemorySegment.ofArray(new byte[0]);
                throw new WeightsFormatException(src, name, t + " stored in typed fields is not supported (use raw_data)");
            }
            default -> { values = i32; size = t.bits / 8; } // INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16, FLOAT8*
        }
        long perElement = (t == OnnxDataType.COMPLEX64 || t == OnnxDataType.COMPLEX128) ? 2 : 1;
        if (values.n != numel * perElement) {
            throw new WeightsFormatException(src, name, (numel == 0 ? "" : "no raw_data and ") + values.n
                    + " typed values for " + numel + " " + t + " elements");
        }
        byte[] out = new byte[Math.toIntExact(values.n * size)];
        MemorySegment s = MemorySegment.ofArray(out);
        for (int k = 0; k < values.n; k++) {
            long v = values.a[k];
            switch (size) {
                case 1 -> s.set(Mem.I8, k, (byte) v);
                case 2 -> s.set(Mem.I16, 2L * k, (short) v);
                case 4 -> s.set(Mem.I32, 4L * k, (int) v);
                default -> s.set(Mem.I64, 8L * k, v);
            }
        }
        return s;
    }

    static OnnxTensor ofFloats(String name, long[] dims, float[] v) {
        return new OnnxTensor(name, OnnxDataType.FLOAT, dims, MemorySegment.ofArray(v.clone()), List.of());
    }

    static OnnxTensor ofLongs(String name, long[] dims, long[] v) {
        return new OnnxTensor(name, OnnxDataType.INT64, dims, MemorySegment.ofArray(v.clone()), List.of());
    }
}
