package io.foley4j.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Diff;
import org.junit.jupiter.api.Test;

/** The in-memory ONNX models compute what they claim: ORT's output vs a plain double-accumulating GEMM. */
class OrtGemmTest {
    static final int M = 5, K = 37, N = 19; // odd sizes: a transposition mistake cannot cancel out

    @Test
    void matmulF32MatchesReference() throws Exception {
        float[] a = Data.floats(1, M * K, 1), w = Data.floats(2, N * K, 1);
        try (OrtGemm g = OrtGemm.f32(M, K, N, w, 1)) {
            g.setInput(a);
            g.run();
            Diff d = Diff.of(g.output(), Data.gemmReference(a, w, M, K, N), 1.0);
            assertTrue(d.maxAbs() < 1e-4, "MatMul F32 vs reference (maxAbs < 1e-4): " + d);
        }
    }

    @Test
    void dynamicQuantizeMatMulMatchesDequantizedReference() throws Exception {
        float[] a = Data.floats(3, M * K, 1), w = Data.floats(4, N * K, 1);
        Data.Q8 q = Data.quantizeRows(w, N, K);
        try (OrtGemm g = OrtGemm.int8(OrtGemm.Kind.DYNAMIC_QUANTIZE_MATMUL, M, K, N, q.q(), q.scales(), 2)) {
            g.setInput(a);
            g.run();
            float[] ref = Data.gemmReference(a, Data.dequantizeRows(q, N, K), M, K, N);
            Diff d = Diff.of(g.output(), ref, 1.0);
            // A is quantized to uint8 inside the op: error ~ sqrt(K) * |w| * (range(A) / 255) / 2
            assertTrue(d.maxAbs() < 0.1, "DynamicQuantizeMatMul vs dequantized reference (maxAbs < 0.1): " + d);
        }
    }

    @Test
    void matmulIntegerIsExact() throws Exception {
        float[] w = Data.floats(5, N * K, 1);
        Data.Q8 q = Data.quantizeRows(w, N, K);
        byte[] a = new byte[M * K];
        float[] af = new float[M * K];
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) ((i * 37 % 255) - 127);
            af[i] = a[i];
        }
        float[] wi = new float[N * K];
        for (int i = 0; i < wi.length; i++) {
            wi[i] = q.q()[i];
        }
        try (OrtGemm g = OrtGemm.int8(OrtGemm.Kind.MATMUL_INTEGER, M, K, N, q.q(), q.scales(), 1)) {
            g.setInput(a);
            g.run();
            Diff d = Diff.of(g.output(), Data.gemmReference(af, wi, M, K, N), 1.0);
            assertTrue(d.maxAbs() == 0, "MatMulInteger vs integer reference (exact): " + d);
        }
    }
}
