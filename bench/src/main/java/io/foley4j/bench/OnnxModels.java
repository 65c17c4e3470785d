package io.foley4j.bench;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One-node ONNX models built in memory, for timing ONNX Runtime on the same GEMMs as ours. A minimal protobuf
 * writer covers the messages of onnx.proto3 that these models need (field numbers from onnx/onnx.proto):
 * ModelProto, OperatorSetIdProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto.
 * Weights are initializers, so ORT treats them as constants and pre-packs them at session creation, as we do at
 * load time.
 */
public final class OnnxModels {
    private OnnxModels() {}

    // TensorProto.DataType
    static final int FLOAT = 1, INT8 = 3, INT32 = 6;
    static final long IR_VERSION = 8, OPSET = 13, MS_OPSET = 1;

    /** Y[M,N] = A[M,K] x B[K,N] with B = W^T given as an initializer (float). */
    public static byte[] matmulF32(int k, int n, float[] bKN) {
        Proto graph = new Proto()
                .msg(1, node("MatMul", "", new String[] {"A", "B"}, "Y"))
                .str(2, "matmul_f32")
                .msg(5, tensorF32("B", bKN, k, n))
                .msg(11, valueInfo("A", FLOAT, "M", k))
                .msg(12, valueInfo("Y", FLOAT, "M", n));
        return model(graph, false);
    }

    /**
     * Y[M,N] int32 = (A[M,K] - aZero) x (B[K,N] - bZero): ONNX MatMulInteger, A int8 (quantized by the caller),
     * B int8 initializer, per-tensor zero points (0: symmetric).
     */
    public static byte[] matmulInteger(int k, int n, byte[] bKN) {
        Proto graph = new Proto()
                .msg(1, node("MatMulInteger", "", new String[] {"A", "B", "a_zero", "b_zero"}, "Y"))
                .str(2, "matmul_integer")
                .msg(5, tensorI8("B", bKN, k, n))
                .msg(5, tensorI8("a_zero", new byte[1]))
                .msg(5, tensorI8("b_zero", new byte[1]))
                .msg(11, valueInfo("A", INT8, "M", k))
                .msg(12, valueInfo("Y", INT32, "M", n));
        return model(graph, false);
    }

    /**
     * Y[M,N] float = A[M,K] x dequant(B[K,N]): com.microsoft DynamicQuantizeMatMul; A float, quantized to uint8 per
     * tensor inside the op, B int8 initializer with one scale per column (= per row of W, our I8_ROW layout).
     */
    public static byte[] dynamicQuantizeMatMul(int k, int n, byte[] bKN, float[] scalePerColumn) {
        Proto graph = new Proto()
                .msg(1, node("DynamicQuantizeMatMul", "com.microsoft", new String[] {"A", "B", "b_scale"}, "Y"))
                .str(2, "dynamic_quantize_matmul")
                .msg(5, tensorI8("B", bKN, k, n))
                .msg(5, tensorF32("b_scale", scalePerColumn, n))
                .msg(11, valueInfo("A", FLOAT, "M", k))
                .msg(12, valueInfo("Y", FLOAT, "M", n));
        return model(graph, true);
    }

    private static byte[] model(Proto graph, boolean microsoftDomain) {
        Proto m = new Proto()
                .i64(1, IR_VERSION)
                .str(2, "foley4j-bench")
                .msg(7, graph)
                .msg(8, new Proto().str(1, "").i64(2, OPSET));
        if (microsoftDomain) {
            m.msg(8, new Proto().str(1, "com.microsoft").i64(2, MS_OPSET));
        }
        return m.bytes();
    }

    private static Proto node(String op, String domain, String[] inputs, String output) {
        Proto p = new Proto();
        for (String in : inputs) {
            p.str(1, in);
        }
        p.str(2, output).str(3, op + "_0").str(4, op);
        if (!domain.isEmpty()) {
            p.str(7, domain);
        }
        return p;
    }

    private static Proto tensorF32(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return tensor(name, FLOAT, raw.array(), dims);
    }

    private static Proto tensorI8(String name, byte[] values, long... dims) {
        return tensor(name, INT8, values, dims);
    }

    private static Proto tensor(String name, int dataType, byte[] raw, long... dims) {
        Proto t = new Proto();
        for (long d : dims) {
            t.i64(1, d);
        }
        return t.i64(2, dataType).str(8, name).bytes(9, raw);
    }

    /** A tensor input or output of shape [dynamic rows named {@code rows}, cols]. */
    private static Proto valueInfo(String name, int elemType, String rows, long cols) {
        Proto shape = new Proto()
                .msg(1, new Proto().str(2, rows))
                .msg(1, new Proto().i64(1, cols));
        Proto tensorType = new Proto().i64(1, elemType).msg(2, shape);
        return new Proto().str(1, name).msg(2, new Proto().msg(1, tensorType));
    }

    /** Protobuf wire format writer: varint (type 0) and length-delimited (type 2) fields only. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto i64(int field, long v) {
            varint((long) field << 3);
            varint(v);
            return this;
        }

        Proto str(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto msg(int field, Proto m) {
            return bytes(field, m.bytes());
        }

        Proto bytes(int field, byte[] b) {
            varint(((long) field << 3) | 2);
            varint(b.length);
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
