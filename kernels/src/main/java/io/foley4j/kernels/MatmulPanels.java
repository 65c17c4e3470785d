package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.I16;
import static io.foley4j.kernels.Mem.I8;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * GEMM for non-F32 weights with enough rows of x: each K block of each panel of {@link Matmul#PANEL} weight rows
 * is widened to F32 once into a per-thread scratch laid out like {@link Matmul#packF32}'s panels
 * ({@code [KC][width]}), then the register-blocked micro-kernels of {@link MatmulTiles} run every row tile over it.
 * Widening costs one conversion per weight per {@code M} rows, instead of one per weight per row.
 */
final class MatmulPanels {
    private MatmulPanels() {}

    /** Fewest rows of x for which widening a panel once beats the dot-product kernels (4 micro-tiles). */
    static final int MIN_ROWS = 4 * Matmul.MR;

    /** Weight formats, dispatched once per panel. */
    enum Format {
        F16, BF16, Q8_ROW, Q8_BLOCK,
        /** I8_ROW weights in {@link MatmulQ8#packQ8}'s panel layout: widened with vector loads. */
        Q8_PACKED
    }

    /**
     * Per-thread panel scratch of KC x PANEL floats: allocated once per thread, not per call, and off-heap like
     * every other operand so the micro-kernels see one segment class (a heap segment here made them 30x slower).
     */
    private static final ThreadLocal<MemorySegment> PANEL_SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate((long) Matmul.KC * Matmul.PANEL * 4, 64));

    static void gemm(Format format, MemorySegment x, MemorySegment w, MemorySegment scales, MemorySegment bias,
                     MemorySegment y, int m, int n, int k, int m0, int m1, int n0, int n1) {
        x = Mem.plain(x); w = Mem.plain(w); scales = Mem.plain(scales); bias = Mem.plain(bias); y = Mem.plain(y);
        MemorySegment panel = PANEL_SCRATCH.get();
        float[] rows = PackedRows.rowsScratch(m1 - m0, k);
        if (k == 0) Matmul.initTile(bias, y, n, m0, m1, n0, n1);
        for (int k0 = 0; k0 < k; k0 += Matmul.KC) {
            int k1 = Math.min(k, k0 + Matmul.KC);
            for (int i0 = m0, mb = Matmul.mBlock(m1 - m0, k1 - k0); i0 < m1; i0 += mb) {
                int i1 = Math.min(m1, i0 + mb);
                PackedRows.packRows(x, rows, k, i0, i1, k0, k1);
                for (int j = n0; j < n1; j += Matmul.PANEL) {
                    int width = Math.min(Matmul.PANEL, n1 - j);
                    widen(format, w, scales, k, j, width, k0, k1, panel);
                    // the tiles index the panel by absolute k
                    MatmulTiles.panel(x, rows, panel, y, n, k, i0, i1, j, width, -(long) k0 * Matmul.PANEL * 4,
                            k0, k1, -1, 0, // the scratch panel is in cache: nothing to touch ahead
                            Matmul.start(bias, k0), Matmul.startAt(bias, j));
                }
            }
        }
    }

    // panel[(p - k0) * PANEL + c] = w[j + c, p] as F32, for p in [k0, k1), c in [0, width), and 0 for c in
    // [width, PANEL) (the tiles read whole vectors): the panel is written sequentially while the width weight rows are
    // read as parallel streams
    private static void widen(Format format, MemorySegment w, MemorySegment scales, int k, int j, int width,
                              int k0, int k1, MemorySegment panel) {
        if (format == Format.Q8_PACKED) {
            widenPacked(w, scales, k, j, width, k0, k1, panel);
            return;
        }
        w = Mem.plain(w); scales = Mem.plain(scales); panel = Mem.plain(panel);
        int nb = MatmulQ8.blocksPerRow(k);
        long w0 = (long) j * k;
        for (int p = k0; p < k1; p++) {
            long out = (long) (p - k0) * Matmul.PANEL * 4;
            for (int c = width; c < Matmul.PANEL; c++) panel.set(F32, out + c * 4L, 0f);
            switch (format) {
                case F16 -> {
                    for (int c = 0; c < width; c++) {
                        panel.set(F32, out + c * 4L, Float.float16ToFloat(w.get(I16, (w0 + (long) c * k + p) * 2)));
                    }
                }
                case BF16 -> {
                    for (int c = 0; c < width; c++) {
                        panel.set(F32, out + c * 4L, Fp16.bf16ToF32(w.get(I16, (w0 + (long) c * k + p) * 2)));
                    }
                }
                case Q8_ROW -> {
                    for (int c = 0; c < width; c++) {
                        float s = scales.get(F32, (long) (j + c) * 4);
                        panel.set(F32, out + c * 4L, w.get(I8, w0 + (long) c * k + p) * s);
                    }
                }
                case Q8_BLOCK -> {
                    long s0 = (long) j * nb + p / MatmulQ8.BLOCK;
                    for (int c = 0; c < width; c++) {
                        float s = scales.get(F32, (s0 + (long) c * nb) * 4);
                        panel.set(F32, out + c * 4L, w.get(I8, w0 + (long) c * k + p) * s);
                    }
                }
            }
        }
    }

    // panel[(p - k0) * PANEL + c] = q[p * PANEL + c] * scale[j + c] over the packed panel at byte j * K: per k, four
    // byte loads of F.length() lanes widened B2F, four multiplies, four stores. Columns past width are zero bytes
    // times masked (zero) scales.
    private static void widenPacked(MemorySegment w, MemorySegment scales, int k, int j, int width,
                                    int k0, int k1, MemorySegment panel) {
        w = Mem.plain(w); scales = Mem.plain(scales); panel = Mem.plain(panel);
        long vb = F.length() * 4L, s0 = (long) j * 4;
        FloatVector c0 = FloatVector.fromMemorySegment(F, scales, s0, ORDER, MatmulTiles.mask(width, 0));
        FloatVector c1 = FloatVector.fromMemorySegment(F, scales, s0 + vb, ORDER, MatmulTiles.mask(width, 1));
        FloatVector c2 = FloatVector.fromMemorySegment(F, scales, s0 + 2 * vb, ORDER, MatmulTiles.mask(width, 2));
        FloatVector c3 = FloatVector.fromMemorySegment(F, scales, s0 + 3 * vb, ORDER, MatmulTiles.mask(width, 3));
        long in0 = Matmul.panelOffset(k, j), lanes = F.length();
        for (int p = k0; p < k1; p++) {
            long in = in0 + (long) p * Matmul.PANEL, out = (long) (p - k0) * Matmul.PANEL * 4;
            MatmulQ8.q8ToF32(w, in).mul(c0).intoMemorySegment(panel, out, ORDER);
            MatmulQ8.q8ToF32(w, in + lanes).mul(c1).intoMemorySegment(panel, out + vb, ORDER);
            MatmulQ8.q8ToF32(w, in + 2 * lanes).mul(c2).intoMemorySegment(panel, out + 2 * vb, ORDER);
            MatmulQ8.q8ToF32(w, in + 3 * lanes).mul(c3).intoMemorySegment(panel, out + 3 * vb, ORDER);
        }
    }
}
