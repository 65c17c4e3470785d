package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The weight block that the F32 GEMM touches ahead ({@link Matmul#ahead}) is the block its loops read next, and the
 * touches of the tiles ({@link MatmulTiles#touchAt}) stay inside the packed weights. Tagged simd: it also runs at
 * 128 bits (4x4 tiles only, 16-column panels) and 256 bits (12x2 forced).
 */
@Tag("simd")
class MatmulAheadTest {
    private static final int PANEL = Matmul.PANEL;

    /** A block of one panel's rows of one K block: byte offset and length in the packed weights. */
    private record Block(long offset, long bytes) {}

    /** Every (M block, panel) step of matmulF32PackedVector's loops over rows [m0, m1) and columns [n0, n1). */
    private static List<long[]> steps(int m0, int m1, int n0, int n1, int k) {
        List<long[]> steps = new ArrayList<>(); // {k0, k1, i0, i1, j}
        for (int k0 = 0; k0 < k; k0 += Matmul.KC) {
            int k1 = Math.min(k, k0 + Matmul.KC);
            for (int i0 = m0, mb = Matmul.mBlock(m1 - m0, k1 - k0); i0 < m1; i0 += mb) {
                int i1 = Math.min(m1, i0 + mb);
                for (int j = n0; j < n1; j += PANEL) {
                    steps.add(new long[] {k0, k1, i0, i1, j});
                }
            }
        }
        return steps;
    }

    private static Block read(long[] step, int k) {
        int k0 = (int) step[0], k1 = (int) step[1], j = (int) step[4];
        return new Block((Matmul.panelOffset(k, j) + (long) k0 * PANEL) * 4, (long) (k1 - k0) * PANEL * 4);
    }

    @Test
    void aheadIsTheNextBlockTheLoopsRead() {
        int[][] shapes = { // m0, m1, n0, n1, n, k
            {0, 197, 0, 3072, 3072, 768}, {0, 197, 0, 768, 768, 3072}, {0, 2100, 0, 5 * PANEL, 5 * PANEL, 2500},
            {3, 40, PANEL, 3 * PANEL, 4 * PANEL + 7, 1024}, {0, 1, 0, PANEL, PANEL, 1}, {0, 1025, 0, 2 * PANEL - 3,
                2 * PANEL - 3, 1025}};
        for (int[] s : shapes) {
            int m0 = s[0], m1 = s[1], n0 = s[2], n1 = s[3], n = s[4], k = s[5];
            List<long[]> steps = steps(m0, m1, n0, n1, k);
            for (int t = 0; t < steps.size(); t++) {
                long[] st = steps.get(t);
                int k0 = (int) st[0], k1 = (int) st[1], i1 = (int) st[3], j = (int) st[4];
                long ahead = Matmul.ahead(n, k, n0, n1, j, m1, i1, k0, k1);
                long bytes = Matmul.aheadBytes(k, ahead);
                Block want = t + 1 < steps.size() ? read(steps.get(t + 1), k) : new Block(-1, 0);
                String where = "m " + m0 + ".." + m1 + ", n " + n0 + ".." + n1 + " of " + n + ", k " + k + ", step "
                        + t + " (k0 " + k0 + ", i1 " + i1 + ", j " + j + ")";
                assertEquals(want, new Block(ahead, bytes), where);
            }
        }
    }

    @Test
    void touchesStayInsideThePackedWeights() {
        int n = 3 * PANEL, k = 300;
        long size = Matmul.packedF32Floats(n, k) * 4;
        for (int j = 0; j < n; j += PANEL) {
            long ahead = Matmul.ahead(n, k, 0, n, j, 197, 197, 0, k);
            long bytes = Matmul.aheadBytes(k, ahead);
            long own = Matmul.panelOffset(k, j) * 4, span = (long) k * MatmulTiles.TOUCH;
            int covered = 0;
            for (int call = 0; call < 64; call++) {
                long at = MatmulTiles.touchAt(ahead, bytes, span, call, size, own);
                assertTrue(at >= 0 && at + span <= size, "call " + call + " of panel " + j + " touches " + at + ".."
                        + (at + span) + " of " + size);
                if (at != own) {
                    assertEquals(ahead + call * span, at, "call " + call + " of panel " + j);
                    covered++;
                }
            }
            // every byte of the next block falls in some call's span; none after the last panel
            long want = ahead < 0 ? 0 : (bytes + span - 1) / span;
            assertEquals(want, covered, "calls touching ahead of panel " + j);
        }
    }

    /**
     * The GEMMs on segments exactly as large as their operands, where a touch past the end of the weights would
     * throw: a single panel with K one or a few past a K block (the next block is then shorter than a tile's span,
     * the case {@link MatmulTiles#touchAt}'s size check exists for), and several M and K blocks. Checked against a
     * plain double-precision sum.
     */
    @Test
    void gemmsOnExactlySizedSegmentsStayInBoundsAndMatch() {
        int[][] shapes = { // m, n, k
            {197, PANEL, Matmul.KC + 1}, {197, PANEL, Matmul.KC + 9}, {40, 2 * PANEL, 2 * Matmul.KC + 3},
            {600, PANEL, Matmul.KC + 1}, {197, 3 * PANEL - 5, 300}}; // 600 rows: two M blocks (Matmul.mBlock)
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment x = Rand.segment(arena, 11, m * k, 1f);
                java.lang.foreign.MemorySegment w = Rand.segment(arena, 12, n * k, 1f);
                java.lang.foreign.MemorySegment packed = arena.allocate(Matmul.packedF32Floats(n, k) * 4, 64);
                Matmul.packF32(w, packed, n, k);
                java.lang.foreign.MemorySegment y = arena.allocate((long) m * n * 4, 64);
                int panels = (n + PANEL - 1) / PANEL;
                java.lang.foreign.MemorySegment yp = arena.allocate((long) panels * m * PANEL * 4, 64);
                Matmul.matmulF32Packed(x, packed, null, y, m, n, k, 0, m, 0, n);
                Matmul.matmulF32PackedPanels(x, packed, yp, m, n, k);
                double worst = 0;
                String at = "";
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want = 0;
                        for (int p = 0; p < k; p++) {
                            want += (double) x.getAtIndex(Mem.F32, (long) i * k + p) * w.getAtIndex(Mem.F32, (long) j * k + p);
                        }
                        float got = y.getAtIndex(Mem.F32, (long) i * n + j);
                        float gotPanels = yp.getAtIndex(Mem.F32, ((long) (j / PANEL) * m + i) * PANEL + j % PANEL);
                        double err = Math.max(Math.abs(got - want), Math.abs(gotPanels - want)) / Math.sqrt(k);
                        if (err > worst) {
                            worst = err;
                            at = "(" + i + ", " + j + "): " + got + " / " + gotPanels + " vs " + want;
                        }
                    }
                }
                // float sums of k products of magnitude <= 1: error well under 1e-5 * sqrt(k)
                assertTrue(worst < 1e-5, m + "x" + k + "x" + n + ": worst error / sqrt(k) " + worst + " at " + at);
            }
        }
    }

    @Test
    void aSpanPastTheEndOfTheWeightsTouchesTheOwnPanel() {
        int n = PANEL, k = Matmul.KC + 1;
        long size = Matmul.packedF32Floats(n, k) * 4;
        long ahead = Matmul.ahead(n, k, 0, n, 0, 197, 197, 0, Matmul.KC);
        long bytes = Matmul.aheadBytes(k, ahead);
        assertEquals(new Block((long) Matmul.KC * PANEL * 4, (long) PANEL * 4), new Block(ahead, bytes));
        long span = (long) Matmul.KC * MatmulTiles.TOUCH; // the first K block's calls: longer than the next block
        assertEquals(7L, MatmulTiles.touchAt(ahead, bytes, span, 0, size, 7L), "span " + span + " from " + ahead
                + " passes the end " + size);
    }
}
