package io.foley4j.bench;

import io.foley4j.kernels.Activation;
import io.foley4j.kernels.Attention;
import io.foley4j.kernels.Conv;
import io.foley4j.kernels.Elementwise;
import io.foley4j.kernels.Fp16;
import io.foley4j.kernels.Matmul;
import io.foley4j.kernels.MatmulHalf;
import io.foley4j.kernels.MatmulQ8;
import io.foley4j.kernels.Mem;
import io.foley4j.kernels.Norm;
import io.foley4j.kernels.Quant;
import io.foley4j.kernels.Rnn;
import io.foley4j.kernels.Transpose;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The kernels of each op family as SIMD-vs-scalar cases, on shapes of the models Foley4J runs, sized to stay in
 * L2 so the ratio measures computation rather than DRAM. Operands are allocated once per case in {@code arena}.
 */
final class SimdCases {
    private SimdCases() {}

    static final List<String> FAMILIES = List.of(
            "elementwise", "matmul", "norm", "activation", "softmax", "attention", "conv", "rnn");

    static List<SimdCase> family(String name, Arena arena) {
        return switch (name) {
            case "elementwise" -> elementwise(arena);
            case "matmul" -> matmul(arena);
            case "norm" -> norm(arena);
            case "activation" -> activation(arena);
            case "softmax" -> softmax(arena);
            case "attention" -> attention(arena);
            case "conv" -> conv(arena);
            case "rnn" -> rnn(arena);
            default -> List.of();
        };
    }

    static MemorySegment floats(Arena arena, long seed, int n, float scale) {
        return Mem.floats(arena, Data.floats(seed, n, scale));
    }

    static List<SimdCase> elementwise(Arena arena) {
        int n = 4096; // 3 x 16 KiB operands
        MemorySegment a = floats(arena, 1, n, 1), b = floats(arena, 2, n, 1), o = Mem.floats(arena, n);
        String s = "n=" + n;
        return List.of(
                new SimdCase("elementwise", "add", s, 12.0 * n, "B",
                        () -> Elementwise.addScalar(a, b, o, 0, n), () -> Elementwise.addVector(a, b, o, 0, n)),
                new SimdCase("elementwise", "mul", s, 12.0 * n, "B",
                        () -> Elementwise.mulScalar(a, b, o, 0, n), () -> Elementwise.mulVector(a, b, o, 0, n)),
                new SimdCase("elementwise", "scale", s, 8.0 * n, "B",
                        () -> Elementwise.scaleScalar(a, 0.5f, o, 0, n), () -> Elementwise.scaleVector(a, 0.5f, o, 0, n)),
                new SimdCase("elementwise", "addScaled", s, 12.0 * n, "B",
                        () -> Elementwise.addScaledScalar(a, 0.5f, b, o, 0, n),
                        () -> Elementwise.addScaledVector(a, 0.5f, b, o, 0, n)));
    }

    static List<SimdCase> matmul(Arena arena) {
        // 32 tokens through a 1024 -> 256 projection. K > 512 (the packed kernel's K block) so that every path of
        // the kernels runs, as in real layers. No bias, as in the GEMM sections (ORT's MatMul has none).
        int m = 32, k = 1024, n = 256;
        MemorySegment x = floats(arena, 21, m * k, 1), w = floats(arena, 22, n * k, 1), b = null;
        MemorySegment y = Mem.floats(arena, (long) m * n);
        MemorySegment packed = Mem.floats(arena, Matmul.packedF32Floats(n, k));
        Matmul.packF32(w, packed, n, k);
        MemorySegment w16 = arena.allocate(2L * n * k, 64), wb16 = arena.allocate(2L * n * k, 64);
        Quant.f32ToF16(w, w16, 0, (long) n * k);
        Quant.f32ToBf16(w, wb16, 0, (long) n * k);
        MemorySegment q = arena.allocate((long) n * k, 64), qs = Mem.floats(arena, n);
        Quant.quantizeRowsQ8(w, q, qs, k, 0, n);
        MemorySegment qb = arena.allocate((long) n * k, 64), qbs = Mem.floats(arena, (long) n * MatmulQ8.blocksPerRow(k));
        Quant.quantizeBlocksQ8(w, qb, qbs, k, 0, n);
        MemorySegment xq = arena.allocate((long) m * k, 64), xs = Mem.floats(arena, m);
        Quant.quantizeRowsQ8(x, xq, xs, k, 0, m);
        String s = m + "x" + k + "x" + n;
        double flop = 2.0 * m * n * k;
        return List.of(
                new SimdCase("matmul", "F32 (dot)", s, flop, "FLOP",
                        () -> Matmul.matmulF32Scalar(x, w, b, y, m, n, k, 0, m, 0, n),
                        () -> Matmul.matmulF32Vector(x, w, b, y, m, n, k, 0, m, 0, n)),
                new SimdCase("matmul", "F32 packed", s, flop, "FLOP",
                        () -> Matmul.matmulF32PackedScalar(x, packed, b, y, m, n, k, 0, m, 0, n),
                        () -> Matmul.matmulF32PackedVector(x, packed, b, y, m, n, k, 0, m, 0, n)),
                new SimdCase("matmul", "F16 x F32", s, flop, "FLOP",
                        () -> MatmulHalf.matmulF16xF32Scalar(x, w16, b, y, m, n, k, 0, m, 0, n),
                        () -> MatmulHalf.matmulF16xF32Vector(x, w16, b, y, m, n, k, 0, m, 0, n)),
                new SimdCase("matmul", "BF16 x F32", s, flop, "FLOP",
                        () -> MatmulHalf.matmulBF16xF32Scalar(x, wb16, b, y, m, n, k, 0, m, 0, n),
                        () -> MatmulHalf.matmulBF16xF32Vector(x, wb16, b, y, m, n, k, 0, m, 0, n)),
                new SimdCase("matmul", "Q8 row x F32", s, flop, "FLOP",
                        () -> MatmulQ8.matmulQ8xF32Scalar(x, q, qs, b, y, m, n, k, 0, m, 0, n),
                        () -> MatmulQ8.matmulQ8xF32Vector(x, q, qs, b, y, m, n, k, 0, m, 0, n)),
                new SimdCase("matmul", "Q8 block32 x F32", s, flop, "FLOP",
                        () -> MatmulQ8.matmulQ8BxF32Scalar(x, qb, qbs, b, y, m, n, k, 0, m, 0, n),
                        () -> MatmulQ8.matmulQ8BxF32Vector(x, qb, qbs, b, y, m, n, k, 0, m, 0, n)),
                new SimdCase("matmul", "Q8 x Q8 (int32 acc)", s, flop, "FLOP",
                        () -> MatmulQ8.matmulQ8Q8Scalar(xq, xs, q, qs, b, y, m, n, k, 0, m, 0, n),
                        () -> MatmulQ8.matmulQ8Q8Vector(xq, xs, q, qs, b, y, m, n, k, 0, m, 0, n)));
    }

    static List<SimdCase> norm(Arena arena) {
        int rows = 128, dim = 384; // BERT-small hidden states
        MemorySegment x = floats(arena, 3, rows * dim, 2), g = floats(arena, 4, dim, 1), b = floats(arena, 5, dim, 1);
        MemorySegment o = Mem.floats(arena, (long) rows * dim);
        String s = rows + "x" + dim;
        double bytes = 8.0 * rows * dim;
        return List.of(
                new SimdCase("norm", "layerNorm", s, bytes, "B",
                        () -> Norm.layerNormScalar(x, g, b, o, dim, 1e-5f, 0, rows),
                        () -> Norm.layerNormVector(x, g, b, o, dim, 1e-5f, 0, rows)),
                new SimdCase("norm", "rmsNorm", s, bytes, "B",
                        () -> Norm.rmsNormScalar(x, g, o, dim, 1e-5f, 0, rows),
                        () -> Norm.rmsNormVector(x, g, o, dim, 1e-5f, 0, rows)));
    }

    static List<SimdCase> activation(Arena arena) {
        int n = 65536; // 256 KiB in, 256 KiB out
        MemorySegment x = floats(arena, 6, n, 4), o = Mem.floats(arena, n);
        String s = "n=" + n;
        return List.of(
                new SimdCase("activation", "gelu (erf)", s, n, "elem",
                        () -> Activation.geluScalar(x, o, 0, n), () -> Activation.geluVector(x, o, 0, n)),
                new SimdCase("activation", "gelu (tanh)", s, n, "elem",
                        () -> Activation.geluTanhScalar(x, o, 0, n), () -> Activation.geluTanhVector(x, o, 0, n)),
                new SimdCase("activation", "quickGelu", s, n, "elem",
                        () -> Activation.quickGeluScalar(x, o, 0, n), () -> Activation.quickGeluVector(x, o, 0, n)),
                new SimdCase("activation", "silu", s, n, "elem",
                        () -> Activation.siluScalar(x, o, 0, n), () -> Activation.siluVector(x, o, 0, n)),
                new SimdCase("activation", "sigmoid", s, n, "elem",
                        () -> Activation.sigmoidScalar(x, o, 0, n), () -> Activation.sigmoidVector(x, o, 0, n)),
                new SimdCase("activation", "tanh", s, n, "elem",
                        () -> Activation.tanhScalar(x, o, 0, n), () -> Activation.tanhVector(x, o, 0, n)));
    }

    static List<SimdCase> softmax(Arena arena) {
        int rows = 12 * 128, dim = 128; // attention scores of 12 heads x 128 queries
        MemorySegment x = floats(arena, 7, rows * dim, 8), o = Mem.floats(arena, (long) rows * dim);
        return List.of(new SimdCase("softmax", "softmax", rows + "x" + dim, (double) rows * dim, "elem",
                () -> Activation.softmaxScalar(x, o, dim, 0, rows),
                () -> Activation.softmaxVector(x, o, dim, 0, rows)));
    }

    static List<SimdCase> attention(Arena arena) {
        int seq = 197, hd = 64, width = 12 * hd; // ViT-B/16: one head's v^T out of [197, 768]
        MemorySegment v = floats(arena, 11, seq * width, 1), vt = Mem.floats(arena, (long) hd * seq);
        return List.of(attentionCase(arena, "vit bidirectional", 197, 12, 64, false),
                attentionCase(arena, "causal", 256, 8, 64, true),
                new SimdCase("attention", "transpose", seq + "x" + hd + " of " + seq + "x" + width, 8.0 * seq * hd, "B",
                        () -> Transpose.transposeScalar(v, hd, width, vt, 0, seq, seq, hd, null),
                        () -> Transpose.transposeVector(v, hd, width, vt, 0, seq, seq, hd, null)));
    }

    private static SimdCase attentionCase(Arena arena, String name, int seq, int heads, int hd, boolean causal) {
        Attention.Dims d = new Attention.Dims(seq, seq, heads, heads, hd);
        int width = heads * hd;
        MemorySegment q = floats(arena, 8, seq * width, 1), k = floats(arena, 9, seq * width, 1);
        MemorySegment v = floats(arena, 10, seq * width, 1), o = Mem.floats(arena, (long) seq * width);
        MemorySegment scratch = Mem.floats(arena, Attention.scratchFloats(hd));
        float scale = (float) (1 / Math.sqrt(hd));
        double keys = causal ? seq * (seq + 1) / 2.0 : (double) seq * seq; // visible (query, key) pairs
        double flop = 4.0 * heads * keys * hd; // q.k and p.v: 2 FLOP each per head dim
        return new SimdCase("attention", name, "S=" + seq + " h=" + heads + " d=" + hd, flop, "FLOP",
                () -> Attention.attentionScalar(q, k, v, null, causal, scale, o, d, scratch, 0, d.items()),
                () -> Attention.attentionVector(q, k, v, null, causal, scale, o, d, scratch, 0, d.items()));
    }

    static List<SimdCase> conv(Arena arena) {
        return List.of(
                conv1dCase(arena, "conv1d k3", new Conv.Geometry1d(128, 256, 128, 3, 1, 1, 1, 1, 1)),
                conv1dCase(arena, "conv1d k3 stride 2", new Conv.Geometry1d(64, 256, 64, 3, 2, 1, 1, 1, 1)),
                conv1dCase(arena, "conv1d STFT k256 s128", new Conv.Geometry1d(1, 1024, 258, 256, 128, 0, 0, 1, 1)),
                conv1dCase(arena, "conv1d depthwise k3 d2", new Conv.Geometry1d(256, 256, 256, 3, 1, 2, 2, 2, 256)),
                conv2dCase(arena));
    }

    private static SimdCase conv1dCase(Arena arena, String name, Conv.Geometry1d g) {
        MemorySegment x = floats(arena, 11, g.cin() * g.len(), 1), w = floats(arena, 12, g.cout() * g.colLength(), 1);
        MemorySegment b = floats(arena, 13, g.cout(), 1), o = Mem.floats(arena, (long) g.cout() * g.lout());
        MemorySegment col = Mem.floats(arena, g.colLength());
        double flop = 2.0 * g.cout() * g.lout() * g.colLength();
        return new SimdCase("conv", name, g.cin() + "x" + g.len() + "->" + g.cout() + "x" + g.lout(), flop, "FLOP",
                () -> Conv.conv1dF32Scalar(x, w, b, o, g, col, 0, g.cout()),
                () -> Conv.conv1dF32Vector(x, w, b, o, g, col, 0, g.cout()));
    }

    // ViT-S/16 patch embedding: the im2col copy is done once; the timed kernel is the dot-product stage
    private static SimdCase conv2dCase(Arena arena) {
        Conv.Geometry2d g = new Conv.Geometry2d(3, 224, 224, 384, 16, 16, 16, 16, 0, 0);
        MemorySegment x = floats(arena, 14, 3 * 224 * 224, 1), w = floats(arena, 15, g.cout() * g.colLength(), 1);
        MemorySegment b = floats(arena, 16, g.cout(), 1), o = Mem.floats(arena, (long) g.cout() * g.patches());
        MemorySegment col = Mem.floats(arena, (long) g.patches() * g.colLength());
        Conv.im2colF32(x, g, col, 0, g.patches());
        double flop = 2.0 * g.cout() * g.patches() * g.colLength();
        return new SimdCase("conv", "conv2d patch16 (col)", "3x224x224->384x14x14", flop, "FLOP",
                () -> Conv.conv2dColF32Scalar(col, w, b, o, g, 0, g.cout()),
                () -> Conv.conv2dColF32Vector(col, w, b, o, g, 0, g.cout()));
    }

    static List<SimdCase> rnn(Arena arena) {
        int hidden = 128; // Silero VAD's LSTMCell
        MemorySegment gx = floats(arena, 17, 4 * hidden, 1), w = floats(arena, 18, 4 * hidden * hidden, 0.1f);
        MemorySegment w16 = arena.allocate(2L * 4 * hidden * hidden, 64);
        for (long i = 0; i < 4L * hidden * hidden; i++) {
            w16.set(Mem.I16, 2 * i, Fp16.f32ToF16(Mem.getF32(w, i)));
        }
        MemorySegment h = floats(arena, 19, hidden, 1), c = floats(arena, 20, hidden, 1);
        MemorySegment hOut = Mem.floats(arena, hidden), gates = Mem.floats(arena, 4 * hidden);
        double flop = 2.0 * 4 * hidden * hidden; // W_hh h; the gates' pointwise work is negligible
        String s = "H=" + hidden;
        return List.of(
                new SimdCase("rnn", "lstmCell F32", s, flop, "FLOP",
                        () -> Rnn.lstmCellF32Scalar(gx, w, h, c, hOut, gates, hidden, 0, hidden),
                        () -> Rnn.lstmCellF32Vector(gx, w, h, c, hOut, gates, hidden, 0, hidden)),
                new SimdCase("rnn", "lstmCell F16 weights", s, flop, "FLOP",
                        () -> Rnn.lstmCellF16Scalar(gx, w16, h, c, hOut, gates, hidden, 0, hidden),
                        () -> Rnn.lstmCellF16Vector(gx, w16, h, c, hOut, gates, hidden, 0, hidden)));
    }
}
