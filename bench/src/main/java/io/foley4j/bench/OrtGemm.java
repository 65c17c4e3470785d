package io.foley4j.bench;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * One GEMM Y[M,N] = A[M,K] x W[N,K]^T run through ONNX Runtime (the reference oracle; native code, bench scope
 * only). Input and output tensors wrap direct buffers allocated once, and the output is pinned, so a timed
 * {@link #run()} measures the session run, not Java-side allocation.
 */
public final class OrtGemm implements Gemm {

    /** Which ONNX graph computes the GEMM. */
    public enum Kind {
        /** ONNX MatMul, float B initializer. */
        F32,
        /** com.microsoft DynamicQuantizeMatMul: float A quantized inside the op, int8 B, per-column scale. */
        DYNAMIC_QUANTIZE_MATMUL,
        /** ONNX MatMulInteger: int8 A (quantized beforehand), int8 B, int32 output. */
        MATMUL_INTEGER
    }

    private final Kind kind;
    private final int m, n;
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final OnnxTensor input, output;
    private final ByteBuffer inputBuf, outputBuf;

    private OrtGemm(Kind kind, int m, int k, int n, byte[] model, int threads) throws OrtException {
        this.kind = kind;
        this.m = m;
        this.n = n;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(model, options);
        boolean int8In = kind == Kind.MATMUL_INTEGER;
        inputBuf = ByteBuffer.allocateDirect(m * k * (int8In ? 1 : 4)).order(ByteOrder.nativeOrder());
        outputBuf = ByteBuffer.allocateDirect(m * n * 4).order(ByteOrder.nativeOrder());
        long[] inShape = {m, k}, outShape = {m, n};
        input = int8In ? OnnxTensor.createTensor(env, inputBuf, inShape, OnnxJavaType.INT8)
                : OnnxTensor.createTensor(env, inputBuf.asFloatBuffer(), inShape);
        output = int8In ? OnnxTensor.createTensor(env, outputBuf.asIntBuffer(), outShape)
                : OnnxTensor.createTensor(env, outputBuf.asFloatBuffer(), outShape);
    }

    /** FP32: {@code w} is W[N,K] row-major (our weight layout); ORT gets B = W^T [K,N]. */
    public static OrtGemm f32(int m, int k, int n, float[] w, int threads) throws OrtException {
        float[] b = new float[k * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < k; i++) {
                b[i * n + j] = w[j * k + i];
            }
        }
        return new OrtGemm(Kind.F32, m, k, n, OnnxModels.matmulF32(k, n, b), threads);
    }

    /** INT8 weights {@code q} = W[N,K] int8 with one scale per row of W, in the graph {@code kind}. */
    public static OrtGemm int8(Kind kind, int m, int k, int n, byte[] q, float[] scales, int threads)
            throws OrtException {
        byte[] b = new byte[k * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < k; i++) {
                b[i * n + j] = q[j * k + i];
            }
        }
        byte[] model = switch (kind) {
            case DYNAMIC_QUANTIZE_MATMUL -> OnnxModels.dynamicQuantizeMatMul(k, n, b, scales);
            case MATMUL_INTEGER -> OnnxModels.matmulInteger(k, n, b);
            case F32 -> throw new IllegalArgumentException("OrtGemm.int8: kind F32 is not an int8 graph");
        };
        return new OrtGemm(kind, m, k, n, model, threads);
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String name() {
        return switch (kind) {
            case F32 -> "ORT MatMul";
            case DYNAMIC_QUANTIZE_MATMUL -> "ORT DynamicQuantizeMatMul";
            case MATMUL_INTEGER -> "ORT MatMulInteger";
        };
    }

    /** Sets A[M,K] (float graphs). */
    @Override
    public void setInput(float[] a) {
        inputBuf.asFloatBuffer().put(0, a);
    }

    /** Sets A[M,K] already quantized to int8 ({@link Kind#MATMUL_INTEGER}). */
    public void setInput(byte[] a) {
        inputBuf.put(0, a);
    }

    @Override
    public void run() {
        try (OrtSession.Result r = session.run(Map.of("A", input), Map.of("Y", output))) {
            // the output is pinned: the result holds nothing of ours to read
        } catch (OrtException e) {
            throw new IllegalStateException("OrtGemm " + kind + ": run failed", e);
        }
    }

    /** Y[M,N] as float (int32 accumulators converted for MatMulInteger). */
    @Override
    public float[] output() {
        float[] y = new float[m * n];
        if (kind == Kind.MATMUL_INTEGER) {
            for (int i = 0; i < y.length; i++) {
                y[i] = outputBuf.getInt(4 * i);
            }
        } else {
            outputBuf.asFloatBuffer().get(0, y);
        }
        return y;
    }

    @Override
    public void close() {
        input.close();
        output.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("OrtGemm " + kind + ": close failed", e);
        }
        options.close();
    }
}
