package io.foley4j.loader;

/** ONNX {@code TensorProto.DataType}, with bits per element (0: strings) and the safetensors type it maps to. */
public enum OnnxDataType {
    UNDEFINED(0, 0, null),
    FLOAT(1, 32, SafetensorsDType.F32),
    UINT8(2, 8, SafetensorsDType.U8),
    INT8(3, 8, SafetensorsDType.I8),
    UINT16(4, 16, SafetensorsDType.U16),
    INT16(5, 16, SafetensorsDType.I16),
    INT32(6, 32, SafetensorsDType.I32),
    INT64(7, 64, SafetensorsDType.I64),
    STRING(8, 0, null),
    BOOL(9, 8, SafetensorsDType.BOOL),
    FLOAT16(10, 16, SafetensorsDType.F16),
    DOUBLE(11, 64, SafetensorsDType.F64),
    UINT32(12, 32, SafetensorsDType.U32),
    UINT64(13, 64, SafetensorsDType.U64),
    COMPLEX64(14, 64, SafetensorsDType.C64),
    COMPLEX128(15, 128, null),
    BFLOAT16(16, 16, SafetensorsDType.BF16),
    FLOAT8E4M3FN(17, 8, SafetensorsDType.F8_E4M3),
    FLOAT8E4M3FNUZ(18, 8, null),
    FLOAT8E5M2(19, 8, SafetensorsDType.F8_E5M2),
    FLOAT8E5M2FNUZ(20, 8, null),
    UINT4(21, 4, null),
    INT4(22, 4, null),
    FLOAT4E2M1(23, 4, null);

    public final int code;
    public final int bits;
    /** The safetensors type with the same bytes, or null when safetensors has none. */
    public final SafetensorsDType safetensors;

    OnnxDataType(int code, int bits, SafetensorsDType safetensors) {
        this.code = code;
        this.bits = bits;
        this.safetensors = safetensors;
    }

    /** The type of {@code code}, or null if unknown. */
    public static OnnxDataType of(long code) {
        for (OnnxDataType t : values()) {
            if (t.code == code) return t;
        }
        return null;
    }

    /** Bytes of {@code numel} packed elements (4-bit types round up, as ONNX packs two per byte). */
    public long byteSize(long numel) {
        return (Math.multiplyExact(numel, (long) bits) + 7) / 8;
    }
}
