package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Register-blocked micro-kernels of {@link Matmul#matmulF32PackedVector} and {@link MatmulPanels}: each writes
 * {@code start + x[i.., k0..k1) · panel[k0..k1)} into a tile of y that starts at column {@code j} (a panel start),
 * where start is the bias or zeros for the first K block (one row of them, read for every row) and y itself, the
 * partial sums of earlier K blocks, after it (see {@link Matmul#start}). Every output element sums its
 * products in k order, one fma each, whichever kernel and block computes it, so results do not depend on the
 * tiling, the thread split or the JIT tier.
 * {@code pw} is the byte offset of the panel in the packed weights. Offsets are affine in the loop index
 * so the JIT can hoist the segment bounds checks.
 */
final class MatmulTiles {
    private MatmulTiles() {}

    private static final int L = F.length();
    /** Bytes per float vector. */
    private static final long VB = L * 4L;
    private static final int PANEL = Matmul.PANEL;

    private static final int MR = Matmul.MR;

    /** System property choosing the micro-tile of full panels: {@code auto} (default), {@code 12x2} or {@code 4x4}. */
    public static final String TILE_PROPERTY = "foley4j.gemm.tile";
    /** Rows of the wide tile. */
    static final int MR_WIDE = 12;
    /**
     * True when full panels run {@link #tileWide} (12 rows x 2 vectors, 24 accumulators, over each half of a panel)
     * after a {@value Matmul#MR}-row lead tile ({@link #wideRows}), the {@value Matmul#MR}-row {@link #tile} taking
     * the rows left over. Per k it loads 2 weight vectors for 24 fmas instead of 4 for 16, so the weight panel, which
     * streams from L2, costs half the bandwidth per fma. Measured at 512 bits (session 7): GemmProbe ours/ORT
     * 0.87-0.91 vs 0.82-0.84 on 128x384x1536 and 197x768x3072, 1 thread; ViT-B/16 forward 223 vs 234 ms.
     * It needs 24 + 3 vector registers: {@code auto} takes it at 16 float lanes (AVX-512, 32 registers) only, and only
     * when C1 could be kept off it ({@link C2Only}); forcing {@code 12x2} at a narrower width is for tests.
     */
    static final boolean WIDE;
    /** One line for reports: the tile in use and why. */
    static final String TILE;

    static {
        String mode = System.getProperty(TILE_PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        boolean wide;
        String why;
        switch (mode) {
            case "auto", "" -> {
                wide = !Simd.SCALAR && L == 16;
                why = wide ? "auto: 16 float lanes" : "auto: " + L + " float lanes (12x2 needs 32 vector registers)";
            }
            case "12x2" -> { wide = true; why = "forced by -D" + TILE_PROPERTY; }
            case "4x4" -> { wide = false; why = "forced by -D" + TILE_PROPERTY; }
            default -> throw new IllegalArgumentException(
                    "-D" + TILE_PROPERTY + "=" + mode + ": expected auto, 12x2 or 4x4");
        }
        if (wide && !C2Only.exclude("io.foley4j.kernels.MatmulTiles::tileWide")) {
            why = "C1 could not be kept off the 12x2 tile (" + C2Only.failure + ")";
            wide = mode.equals("12x2");
            // a slower GEMM, not a failure: say so once, where a library user will see it
            System.getLogger(MatmulTiles.class.getName()).log(System.Logger.Level.WARNING,
                    "foley4j: the F32 GEMM runs its " + (wide ? "12x2" : "4x4") + " tile: " + why);
        }
        WIDE = wide;
        TILE = (wide ? "12x2" : MR + "x4") + " (" + why + ")";
        JitFlags.warnIfLow(); // the tiles are the kernels the flag matters most for
    }

    /**
     * Rows of a block of {@code rows} that the wide tiles take: with {@link #WIDE}, a block of at least
     * {@value Matmul#MR} + 12 rows runs one {@value Matmul#MR}-row lead tile, then as many 12-row tiles as fit, then
     * {@value Matmul#MR}-row tiles and single rows; 0 otherwise. The lead tile reads each k's weights as one whole
     * panel row (4 vectors, 256 bytes at 512 bits) while the wide tiles read half rows: when the panel comes from
     * memory, which it does for the weights of a model's forward, the whole-row pass streams it faster. Measured
     * interleaved in one JVM on 196x768x3072, 1 thread: 4x4 alone 174 / 165 GFLOP/s (weights in cache / rotating
     * over 16 copies), 12x2 alone 194 / 162, lead 4x4 + 12x2 196 / 178.
     */
    static int wideRows(int rows) {
        return WIDE && rows >= MR + MR_WIDE ? (rows - MR) / MR_WIDE * MR_WIDE : 0;
    }

    /**
     * Bytes of the next weight block that one touching tile call covers per step of k: {@link #tileWide} loads one
     * byte every 8 bytes (each 64-byte line 8 times, 7 of them L1 hits), {@link #tile} one every 16 (it steps k by 2),
     * so the loads stay evenly spread over the fmas. A 64-column panel's block (512 bits) takes PANEL / 2 = 32 calls:
     * the 12x2 tiles of 192 rows, or the 4x4 tiles of 128. With fewer rows (MiniLM's 128 tokens: 21 calls) the rest
     * of the next block is not touched. Touching 16 bytes apart covers it with half the calls but cost ~2% on one
     * thread (bench/results/gemm-ahead-s8-2026-11-25.md).
     */
    static final int TOUCH = 8;

    /**
     * y[i0:i1, j:j+width] = start + x[i0:i1, k0:k1] · panel[k0:k1), start being {@code start}'s row or y itself
     * (see below): the full micro-tiles of rows read {@code rows} (packed
     * by {@link PackedRows#packRows} from row i0 and column k0), the remaining rows read x. {@code pw} is the byte
     * offset of the panel (at k = 0) in {@code packed}.
     * <p>{@code ahead} is the byte offset in {@code packed} of the weight block the caller reads next (the next
     * panel's, else the next M or K block's first panel's; see {@link Matmul#ahead}), {@code aheadBytes} its length,
     * or -1 and 0. The 12x2 and 4x4 tiles after the lead tile touch it while they compute on this panel
     * ({@link #touchAt}), so it is in L2 when its turn comes: Java has no prefetch instruction, and without this the
     * first tile of each panel waits for it to come from memory (the hardware prefetchers stop at every 4 KiB page).
     * Single-row tiles do not touch.
     * <p>{@code start} non-null: the accumulators start from its bytes at {@code startAt} (columns j.. of the bias, or
     * zeros), the same for every row; null: from y, which holds the sums of earlier K blocks.
     */
    static void panel(MemorySegment x, float[] rows, MemorySegment packed, MemorySegment y,
                      int n, int k, int i0, int i1, int j, int width, long pw, int k0, int k1,
                      long ahead, long aheadBytes, MemorySegment start, long startAt) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y); start = Mem.plain(start);
        // where the accumulators start: y's tile (stride one row of y), or one row of start for every row (stride 0)
        boolean fresh = start != null;
        MemorySegment s = fresh ? start : y;
        long rs = (long) n * 4, srs = fresh ? 0 : rs;
        if (width == PANEL) {
            int kc = k1 - k0, i = i0, a0 = 0;
            long pk = pw + (long) k0 * PANEL * 4;
            int wide = wideRows(i1 - i0), call = 0;
            long span = (long) kc * TOUCH, size = packed.byteSize();
            if (wide > 0) {
                // the lead tile reads whole weight rows per k: it streams the panel in faster than the wide tiles
                // would when no earlier call touched it (the first panel). It touches its own panel: the panel is
                // what it waits for, so more loads from memory would only slow it.
                tileRows(x, rows, a0, packed, y, n, k, i, j, pw, k0, k1, pk, s, so(fresh, startAt, i, j, rs), srs);
                i += MR;
                a0 += MR * kc;
                for (int end = i + wide; i < end; i += MR_WIDE, a0 += MR_WIDE * kc) {
                    tileWide(rows, a0, packed, pk, y, n, i, j, kc,
                            touchAt(ahead, aheadBytes, span, call++, size, pk), s, so(fresh, startAt, i, j, rs), srs);
                    tileWide(rows, a0, packed, pk + 2 * VB, y, n, i, j + 2 * L, kc,
                            touchAt(ahead, aheadBytes, span, call++, size, pk), s,
                            so(fresh, startAt, i, j, rs) + 2 * VB, srs);
                }
            }
            for (; i + MR <= i1; i += MR, a0 += MR * kc) {
                tileRows(x, rows, a0, packed, y, n, k, i, j, pw, k0, k1,
                        touchAt(ahead, aheadBytes, span, call++, size, pk), s, so(fresh, startAt, i, j, rs), srs);
            }
            for (; i < i1; i++) {
                tile1(x, packed, y, n, k, i, j, pw, k0, k1, s, so(fresh, startAt, i, j, rs));
            }
        } else {
            for (int i = i0; i < i1; i++) {
                tile1Masked(x, packed, y, n, k, i, j, pw, width, k0, k1, s, so(fresh, startAt, i, j, rs));
            }
        }
    }

    /** Byte offset where row i's accumulators of the tile at column j start: in start (any row), or in y. */
    private static long so(boolean fresh, long startAt, int i, int j, long rs) {
        return fresh ? startAt : i * rs + j * 4L;
    }

    /** System property: {@code false} turns off the touches of the next weight block (see {@link #panel}). */
    public static final String AHEAD_PROPERTY = "foley4j.gemm.ahead";
    /**
     * Whether the tiles touch the next weight block; off, they touch their own panel (already in cache), which
     * costs the same instructions. Read once per tile call. Not final so that a benchmark can switch it between
     * forwards in one JVM, where the A/B is not blurred by the spread between JVMs.
     */
    static boolean touchAhead = !"false".equalsIgnoreCase(System.getProperty(AHEAD_PROPERTY, "true").trim());

    /**
     * Where touching tile call number {@code call} of a panel touches: its share of the next block, {@code span}
     * bytes from {@code ahead + call * span}; the panel's own first bytes at {@code own} (already in cache) once the
     * next block is covered, when there is none, or when the span would pass the end of the weights ({@code size}).
     */
    static long touchAt(long ahead, long aheadBytes, long span, int call, long size, long own) {
        if (!touchAhead) return own;
        long at = ahead + call * span;
        return ahead >= 0 && call * span < aheadBytes && at + span <= size ? at : own;
    }

    // MR rows at packed offset a0: the tile over the first kc & ~1 steps of k, then tile1 per row for an odd last k
    private static void tileRows(MemorySegment x, float[] rows, int a0, MemorySegment packed, MemorySegment y,
                                 int n, int k, int i, int j, long pw, int k0, int k1, long touch,
                                 MemorySegment s, long so, long srs) {
        int kc = k1 - k0;
        tile(rows, a0, packed, pw + (long) k0 * PANEL * 4, y, n, i, j, kc, touch, s, so, srs);
        long rs = (long) n * 4;
        for (int r = 0; r < MR && (kc & 1) != 0; r++) { // the tile has written these rows: go on from y
            tile1(x, packed, y, n, k, i + r, j, pw, k1 - 1, k1, y, so(false, 0, i + r, j, rs));
        }
    }

    // vector v of the accumulators' start of a row, at byte offset so of s
    private static FloatVector init(MemorySegment s, long so, int v) {
        s = Mem.plain(s);
        return FloatVector.fromMemorySegment(F, s, so + v * VB, ORDER);
    }

    // MR rows x PANEL (= 4 vectors) columns over the first kc & ~1 steps of k, two per iteration: 16 accumulators;
    // per k, 4 weight vectors at packed[pw + p * PANEL * 4] and MR broadcasts from rows[a0 + p * MR + r] (see
    // PackedRows.packRows): side by side, so one index register serves them. The packed rows are a float[] because C2
    // hoists the bounds checks of a[inv + p * MR + r] out of the loop, while those of segment reads at
    // x0 + r * K * 4 + p * 4 stayed in it (one compare and branch per row per k). Each iteration also loads the byte
    // at touch + p * TOUCH, ahead of use, as tileWide does.
    static void tile(float[] rows, int a0, MemorySegment packed, long pw, MemorySegment y,
                      int n, int i, int j, int kc, long touch, MemorySegment s, long so, long srs) {
        packed = Mem.plain(packed); y = Mem.plain(y); s = Mem.plain(s);
        long rs = (long) n * 4;
        long y0 = ((long) i * n + j) * 4;
        long y1 = y0 + 1 * rs, y2 = y0 + 2 * rs, y3 = y0 + 3 * rs;
        long s1 = so + srs, s2 = so + 2 * srs, s3 = so + 3 * srs;
        FloatVector c00 = init(s, so, 0), c01 = init(s, so, 1);
        FloatVector c02 = init(s, so, 2), c03 = init(s, so, 3);
        FloatVector c10 = init(s, s1, 0), c11 = init(s, s1, 1);
        FloatVector c12 = init(s, s1, 2), c13 = init(s, s1, 3);
        FloatVector c20 = init(s, s2, 0), c21 = init(s, s2, 1);
        FloatVector c22 = init(s, s2, 2), c23 = init(s, s2, 3);
        FloatVector c30 = init(s, s3, 0), c31 = init(s, s3, 1);
        FloatVector c32 = init(s, s3, 2), c33 = init(s, s3, 3);
        int touched = 0;
        for (int p = 0, even = kc & ~1; p < even; p += 2) {
            long wo = pw + (long) p * (PANEL * 4);
            int ao = a0 + p * MR;
            touched += packed.get(ValueLayout.JAVA_BYTE, touch + (long) p * TOUCH);
            {
                FloatVector b0 = FloatVector.fromMemorySegment(F, packed, wo, ORDER);
                FloatVector b1 = FloatVector.fromMemorySegment(F, packed, wo + 1 * VB, ORDER);
                FloatVector b2 = FloatVector.fromMemorySegment(F, packed, wo + 2 * VB, ORDER);
                FloatVector b3 = FloatVector.fromMemorySegment(F, packed, wo + 3 * VB, ORDER);
                FloatVector a = FloatVector.broadcast(F, rows[ao]);
                c00 = a.fma(b0, c00); c01 = a.fma(b1, c01); c02 = a.fma(b2, c02); c03 = a.fma(b3, c03);
                a = FloatVector.broadcast(F, rows[ao + 1]);
                c10 = a.fma(b0, c10); c11 = a.fma(b1, c11); c12 = a.fma(b2, c12); c13 = a.fma(b3, c13);
                a = FloatVector.broadcast(F, rows[ao + 2]);
                c20 = a.fma(b0, c20); c21 = a.fma(b1, c21); c22 = a.fma(b2, c22); c23 = a.fma(b3, c23);
                a = FloatVector.broadcast(F, rows[ao + 3]);
                c30 = a.fma(b0, c30); c31 = a.fma(b1, c31); c32 = a.fma(b2, c32); c33 = a.fma(b3, c33);
            }
            {
                FloatVector b0 = FloatVector.fromMemorySegment(F, packed, wo + 1 * PANEL * 4, ORDER);
                FloatVector b1 = FloatVector.fromMemorySegment(F, packed, wo + 1 * PANEL * 4 + 1 * VB, ORDER);
                FloatVector b2 = FloatVector.fromMemorySegment(F, packed, wo + 1 * PANEL * 4 + 2 * VB, ORDER);
                FloatVector b3 = FloatVector.fromMemorySegment(F, packed, wo + 1 * PANEL * 4 + 3 * VB, ORDER);
                FloatVector a = FloatVector.broadcast(F, rows[ao + 1 * MR]);
                c00 = a.fma(b0, c00); c01 = a.fma(b1, c01); c02 = a.fma(b2, c02); c03 = a.fma(b3, c03);
                a = FloatVector.broadcast(F, rows[ao + 1 * MR + 1]);
                c10 = a.fma(b0, c10); c11 = a.fma(b1, c11); c12 = a.fma(b2, c12); c13 = a.fma(b3, c13);
                a = FloatVector.broadcast(F, rows[ao + 1 * MR + 2]);
                c20 = a.fma(b0, c20); c21 = a.fma(b1, c21); c22 = a.fma(b2, c22); c23 = a.fma(b3, c23);
                a = FloatVector.broadcast(F, rows[ao + 1 * MR + 3]);
                c30 = a.fma(b0, c30); c31 = a.fma(b1, c31); c32 = a.fma(b2, c32); c33 = a.fma(b3, c33);
            }
        }
        if (touched == Integer.MIN_VALUE) touchSink = touched; // never (see touchSink)
        c00.intoMemorySegment(y, y0, ORDER);
        c01.intoMemorySegment(y, y0 + 1 * VB, ORDER);
        c02.intoMemorySegment(y, y0 + 2 * VB, ORDER);
        c03.intoMemorySegment(y, y0 + 3 * VB, ORDER);
        c10.intoMemorySegment(y, y1, ORDER);
        c11.intoMemorySegment(y, y1 + 1 * VB, ORDER);
        c12.intoMemorySegment(y, y1 + 2 * VB, ORDER);
        c13.intoMemorySegment(y, y1 + 3 * VB, ORDER);
        c20.intoMemorySegment(y, y2, ORDER);
        c21.intoMemorySegment(y, y2 + 1 * VB, ORDER);
        c22.intoMemorySegment(y, y2 + 2 * VB, ORDER);
        c23.intoMemorySegment(y, y2 + 3 * VB, ORDER);
        c30.intoMemorySegment(y, y3, ORDER);
        c31.intoMemorySegment(y, y3 + 1 * VB, ORDER);
        c32.intoMemorySegment(y, y3 + 2 * VB, ORDER);
        c33.intoMemorySegment(y, y3 + 3 * VB, ORDER);
    }

    // 12 rows x 2 vectors: columns [j, j + 2L) of the panel at byte offset pw (a panel start, or its second half at
    // pw + 2 * VB), so per k the two weight vectors lie PANEL floats after the last. 24 accumulators; per k 2 loads,
    // 12 broadcasts from rows[a0 + p * 12 + r] (see PackedRows.packRows) and 24 fmas, one per k and output element
    // in k order as in every other tile. Too large for C1: see WIDE. Each k also loads the byte at
    // touch + p * TOUCH, a line of the next weight block (see panel), into a sum the JIT must keep (see touchSink);
    // its address is affine in p like the others, so its bounds check leaves the loop too (a nested loop or a
    // separate induction variable for it cost the tile 20-35%).
    static void tileWide(float[] rows, int a0, MemorySegment packed, long pw, MemorySegment y,
                         int n, int i, int j, int kc, long touch, MemorySegment s, long so, long srs) {
        packed = Mem.plain(packed); y = Mem.plain(y); s = Mem.plain(s);
        long rs = (long) n * 4;
        long y0 = ((long) i * n + j) * 4, y1 = y0 + rs, y2 = y0 + 2 * rs, y3 = y0 + 3 * rs;
        long y4 = y0 + 4 * rs, y5 = y0 + 5 * rs, y6 = y0 + 6 * rs, y7 = y0 + 7 * rs;
        long y8 = y0 + 8 * rs, y9 = y0 + 9 * rs, y10 = y0 + 10 * rs, y11 = y0 + 11 * rs;
        FloatVector c00 = init(s, so, 0), c01 = init(s, so, 1);
        FloatVector c10 = init(s, so + srs, 0), c11 = init(s, so + srs, 1);
        FloatVector c20 = init(s, so + 2 * srs, 0), c21 = init(s, so + 2 * srs, 1);
        FloatVector c30 = init(s, so + 3 * srs, 0), c31 = init(s, so + 3 * srs, 1);
        FloatVector c40 = init(s, so + 4 * srs, 0), c41 = init(s, so + 4 * srs, 1);
        FloatVector c50 = init(s, so + 5 * srs, 0), c51 = init(s, so + 5 * srs, 1);
        FloatVector c60 = init(s, so + 6 * srs, 0), c61 = init(s, so + 6 * srs, 1);
        FloatVector c70 = init(s, so + 7 * srs, 0), c71 = init(s, so + 7 * srs, 1);
        FloatVector c80 = init(s, so + 8 * srs, 0), c81 = init(s, so + 8 * srs, 1);
        FloatVector c90 = init(s, so + 9 * srs, 0), c91 = init(s, so + 9 * srs, 1);
        FloatVector ca0 = init(s, so + 10 * srs, 0), ca1 = init(s, so + 10 * srs, 1);
        FloatVector cb0 = init(s, so + 11 * srs, 0), cb1 = init(s, so + 11 * srs, 1);
        int touched = 0;
        for (int p = 0; p < kc; p++) {
            long wo = pw + (long) p * (PANEL * 4);
            int ao = a0 + p * MR_WIDE;
            touched += packed.get(ValueLayout.JAVA_BYTE, touch + (long) p * TOUCH);
            FloatVector b0 = FloatVector.fromMemorySegment(F, packed, wo, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(F, packed, wo + VB, ORDER);
            FloatVector a = FloatVector.broadcast(F, rows[ao]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, rows[ao + 1]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, rows[ao + 2]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, rows[ao + 3]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, rows[ao + 4]);
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, rows[ao + 5]);
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(F, rows[ao + 6]);
            c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(F, rows[ao + 7]);
            c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
            a = FloatVector.broadcast(F, rows[ao + 8]);
            c80 = a.fma(b0, c80); c81 = a.fma(b1, c81);
            a = FloatVector.broadcast(F, rows[ao + 9]);
            c90 = a.fma(b0, c90); c91 = a.fma(b1, c91);
            a = FloatVector.broadcast(F, rows[ao + 10]);
            ca0 = a.fma(b0, ca0); ca1 = a.fma(b1, ca1);
            a = FloatVector.broadcast(F, rows[ao + 11]);
            cb0 = a.fma(b0, cb0); cb1 = a.fma(b1, cb1);
        }
        if (touched == Integer.MIN_VALUE) touchSink = touched; // never (see touchSink)
        c00.intoMemorySegment(y, y0, ORDER); c01.intoMemorySegment(y, y0 + VB, ORDER);
        c10.intoMemorySegment(y, y1, ORDER); c11.intoMemorySegment(y, y1 + VB, ORDER);
        c20.intoMemorySegment(y, y2, ORDER); c21.intoMemorySegment(y, y2 + VB, ORDER);
        c30.intoMemorySegment(y, y3, ORDER); c31.intoMemorySegment(y, y3 + VB, ORDER);
        c40.intoMemorySegment(y, y4, ORDER); c41.intoMemorySegment(y, y4 + VB, ORDER);
        c50.intoMemorySegment(y, y5, ORDER); c51.intoMemorySegment(y, y5 + VB, ORDER);
        c60.intoMemorySegment(y, y6, ORDER); c61.intoMemorySegment(y, y6 + VB, ORDER);
        c70.intoMemorySegment(y, y7, ORDER); c71.intoMemorySegment(y, y7 + VB, ORDER);
        c80.intoMemorySegment(y, y8, ORDER); c81.intoMemorySegment(y, y8 + VB, ORDER);
        c90.intoMemorySegment(y, y9, ORDER); c91.intoMemorySegment(y, y9 + VB, ORDER);
        ca0.intoMemorySegment(y, y10, ORDER); ca1.intoMemorySegment(y, y10 + VB, ORDER);
        cb0.intoMemorySegment(y, y11, ORDER); cb1.intoMemorySegment(y, y11 + VB, ORDER);
    }

    /**
     * Where {@link #tile} and {@link #tileWide} would leave the sum of their touch loads: they write it only when the
     * sum is {@link Integer#MIN_VALUE}, which a sum of at most KC bytes never is, but the JIT cannot know that, so it
     * keeps the loads. Writing it on every call would move this class's static fields between cores.
     */
    static int touchSink;

    // 1 row x PANEL columns (tail rows)
    static void tile1(MemorySegment x, MemorySegment packed, MemorySegment y,
                      int n, int k, int i, int j, long pw, int k0, int k1, MemorySegment s, long so) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y); s = Mem.plain(s);
        long y0 = ((long) i * n + j) * 4, x0 = (long) i * k * 4;
        FloatVector c0 = init(s, so, 0), c1 = init(s, so, 1);
        FloatVector c2 = init(s, so, 2), c3 = init(s, so, 3);
        for (int p = k0; p < k1; p++) {
            long wo = pw + (long) p * (PANEL * 4);
            FloatVector a = FloatVector.broadcast(F, x.get(F32, x0 + (long) p * 4));
            c0 = a.fma(FloatVector.fromMemorySegment(F, packed, wo, ORDER), c0);
            c1 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + VB, ORDER), c1);
            c2 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 2 * VB, ORDER), c2);
            c3 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 3 * VB, ORDER), c3);
        }
        c0.intoMemorySegment(y, y0, ORDER);
        c1.intoMemorySegment(y, y0 + VB, ORDER);
        c2.intoMemorySegment(y, y0 + 2 * VB, ORDER);
        c3.intoMemorySegment(y, y0 + 3 * VB, ORDER);
    }

    /** System property: how many panels the rows of a matrix-vector product read side by side: 1, 2 or 4. */
    public static final String STREAMS_PROPERTY = "foley4j.gemm.streams";
    /**
     * Panels that {@link Matmul}'s few-row path reads side by side ({@link #tile1x2}, {@link #tile1x4}): 4 at 16 float
     * lanes (16 accumulators: 32 vector registers), else 2 (8 accumulators fit 16 registers); property
     * {@value #STREAMS_PROPERTY} overrides. Each panel is a stream of its own through memory: one row times a 64 MiB
     * weight (1x4096x4096) reads 4 of them 1 MiB apart, which the hardware prefetchers keep further ahead than the
     * one stream of {@link #tile1}. Measured in GemmProbe, 1 thread, one JVM per setting alternating with ORT
     * (session 13, bench/results/matvec-s13-2026-11-25.md): one stream 17.1-18.5 GFLOP/s, two 22.6, four 25.0-25.5;
     * ORT 20.4-23.6 in the same JVMs. Not final so a test can compare the three in one JVM.
     */
    static int streams = streamsFromProperty();

    private static int streamsFromProperty() {
        String v = System.getProperty(STREAMS_PROPERTY, "auto").trim();
        if (v.equals("auto") || v.isEmpty()) return L == 16 ? 4 : 2;
        return switch (v) {
            case "1" -> 1;
            case "2" -> 2;
            case "4" -> 4;
            default -> throw new IllegalArgumentException(
                    "-D" + STREAMS_PROPERTY + "=" + v + ": expected auto, 1, 2 or 4");
        };
    }

    // 1 row x 2 full panels at pw and pw + ps (y columns j.. and j + PANEL.., the start's likewise): two streams
    static void tile1x2(MemorySegment x, MemorySegment packed, MemorySegment y, int n, int k, int i, int j, long pw,
                        long ps, int k0, int k1, MemorySegment s, long so) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y); s = Mem.plain(s);
        long y0 = ((long) i * n + j) * 4, x0 = (long) i * k * 4;
        FloatVector c0 = init(s, so, 0), c1 = init(s, so, 1), c2 = init(s, so, 2), c3 = init(s, so, 3);
        FloatVector d0 = init(s, so, 4), d1 = init(s, so, 5), d2 = init(s, so, 6), d3 = init(s, so, 7);
        for (int p = k0; p < k1; p++) {
            long wo = pw + (long) p * (PANEL * 4), vo = wo + ps;
            FloatVector a = FloatVector.broadcast(F, x.get(F32, x0 + (long) p * 4));
            c0 = a.fma(FloatVector.fromMemorySegment(F, packed, wo, ORDER), c0);
            c1 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + VB, ORDER), c1);
            c2 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 2 * VB, ORDER), c2);
            c3 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 3 * VB, ORDER), c3);
            d0 = a.fma(FloatVector.fromMemorySegment(F, packed, vo, ORDER), d0);
            d1 = a.fma(FloatVector.fromMemorySegment(F, packed, vo + VB, ORDER), d1);
            d2 = a.fma(FloatVector.fromMemorySegment(F, packed, vo + 2 * VB, ORDER), d2);
            d3 = a.fma(FloatVector.fromMemorySegment(F, packed, vo + 3 * VB, ORDER), d3);
        }
        c0.intoMemorySegment(y, y0, ORDER); c1.intoMemorySegment(y, y0 + VB, ORDER);
        c2.intoMemorySegment(y, y0 + 2 * VB, ORDER); c3.intoMemorySegment(y, y0 + 3 * VB, ORDER);
        d0.intoMemorySegment(y, y0 + 4 * VB, ORDER); d1.intoMemorySegment(y, y0 + 5 * VB, ORDER);
        d2.intoMemorySegment(y, y0 + 6 * VB, ORDER); d3.intoMemorySegment(y, y0 + 7 * VB, ORDER);
    }

    // 1 row x 4 full panels at pw + q * ps, q = 0..3: four streams, 16 accumulators (written out: vectors in an array
    // would be boxed)
    static void tile1x4(MemorySegment x, MemorySegment packed, MemorySegment y, int n, int k, int i, int j, long pw,
                        long ps, int k0, int k1, MemorySegment s, long so) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y); s = Mem.plain(s);
        long y0 = ((long) i * n + j) * 4, x0 = (long) i * k * 4;
        FloatVector c0 = init(s, so, 0), c1 = init(s, so, 1), c2 = init(s, so, 2), c3 = init(s, so, 3);
        FloatVector d0 = init(s, so, 4), d1 = init(s, so, 5), d2 = init(s, so, 6), d3 = init(s, so, 7);
        FloatVector e0 = init(s, so, 8), e1 = init(s, so, 9), e2 = init(s, so, 10), e3 = init(s, so, 11);
        FloatVector f0 = init(s, so, 12), f1 = init(s, so, 13), f2 = init(s, so, 14), f3 = init(s, so, 15);
        for (int p = k0; p < k1; p++) {
            long wo = pw + (long) p * (PANEL * 4), vo = wo + ps, uo = vo + ps, to = uo + ps;
            FloatVector a = FloatVector.broadcast(F, x.get(F32, x0 + (long) p * 4));
            c0 = a.fma(FloatVector.fromMemorySegment(F, packed, wo, ORDER), c0);
            c1 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + VB, ORDER), c1);
            c2 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 2 * VB, ORDER), c2);
            c3 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 3 * VB, ORDER), c3);
            d0 = a.fma(FloatVector.fromMemorySegment(F, packed, vo, ORDER), d0);
            d1 = a.fma(FloatVector.fromMemorySegment(F, packed, vo + VB, ORDER), d1);
            d2 = a.fma(FloatVector.fromMemorySegment(F, packed, vo + 2 * VB, ORDER), d2);
            d3 = a.fma(FloatVector.fromMemorySegment(F, packed, vo + 3 * VB, ORDER), d3);
            e0 = a.fma(FloatVector.fromMemorySegment(F, packed, uo, ORDER), e0);
            e1 = a.fma(FloatVector.fromMemorySegment(F, packed, uo + VB, ORDER), e1);
            e2 = a.fma(FloatVector.fromMemorySegment(F, packed, uo + 2 * VB, ORDER), e2);
            e3 = a.fma(FloatVector.fromMemorySegment(F, packed, uo + 3 * VB, ORDER), e3);
            f0 = a.fma(FloatVector.fromMemorySegment(F, packed, to, ORDER), f0);
            f1 = a.fma(FloatVector.fromMemorySegment(F, packed, to + VB, ORDER), f1);
            f2 = a.fma(FloatVector.fromMemorySegment(F, packed, to + 2 * VB, ORDER), f2);
            f3 = a.fma(FloatVector.fromMemorySegment(F, packed, to + 3 * VB, ORDER), f3);
        }
        c0.intoMemorySegment(y, y0, ORDER); c1.intoMemorySegment(y, y0 + VB, ORDER);
        c2.intoMemorySegment(y, y0 + 2 * VB, ORDER); c3.intoMemorySegment(y, y0 + 3 * VB, ORDER);
        d0.intoMemorySegment(y, y0 + 4 * VB, ORDER); d1.intoMemorySegment(y, y0 + 5 * VB, ORDER);
        d2.intoMemorySegment(y, y0 + 6 * VB, ORDER); d3.intoMemorySegment(y, y0 + 7 * VB, ORDER);
        e0.intoMemorySegment(y, y0 + 8 * VB, ORDER); e1.intoMemorySegment(y, y0 + 9 * VB, ORDER);
        e2.intoMemorySegment(y, y0 + 10 * VB, ORDER); e3.intoMemorySegment(y, y0 + 11 * VB, ORDER);
        f0.intoMemorySegment(y, y0 + 12 * VB, ORDER); f1.intoMemorySegment(y, y0 + 13 * VB, ORDER);
        f2.intoMemorySegment(y, y0 + 14 * VB, ORDER); f3.intoMemorySegment(y, y0 + 15 * VB, ORDER);
    }

    /** Lane masks of the {@code PANEL / L} vectors of a panel {@code width} columns wide. */
    static VectorMask<Float> mask(int width, int v) {
        return F.indexInRange(v * L, width);
    }

    // 1 row of the last, narrower panel (stored zero-padded [K][PANEL], width < PANEL): whole weight vectors, masked
    // loads of the start (bias, zeros or y) and masked stores of y only
    static void tile1Masked(MemorySegment x, MemorySegment packed, MemorySegment y,
                            int n, int k, int i, int j, long pw, int width, int k0, int k1, MemorySegment s,
                            long so) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y); s = Mem.plain(s);
        VectorMask<Float> m0 = mask(width, 0), m1 = mask(width, 1), m2 = mask(width, 2), m3 = mask(width, 3);
        long y0 = ((long) i * n + j) * 4, x0 = (long) i * k * 4;
        FloatVector c0 = FloatVector.fromMemorySegment(F, s, so, ORDER, m0);
        FloatVector c1 = FloatVector.fromMemorySegment(F, s, so + VB, ORDER, m1);
        FloatVector c2 = FloatVector.fromMemorySegment(F, s, so + 2 * VB, ORDER, m2);
        FloatVector c3 = FloatVector.fromMemorySegment(F, s, so + 3 * VB, ORDER, m3);
        for (int p = k0; p < k1; p++) {
            long wo = pw + (long) p * (PANEL * 4);
            FloatVector a = FloatVector.broadcast(F, x.get(F32, x0 + (long) p * 4));
            c0 = a.fma(FloatVector.fromMemorySegment(F, packed, wo, ORDER), c0);
            c1 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + VB, ORDER), c1);
            c2 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 2 * VB, ORDER), c2);
            c3 = a.fma(FloatVector.fromMemorySegment(F, packed, wo + 3 * VB, ORDER), c3);
        }
        c0.intoMemorySegment(y, y0, ORDER, m0);
        c1.intoMemorySegment(y, y0 + VB, ORDER, m1);
        c2.intoMemorySegment(y, y0 + 2 * VB, ORDER, m2);
        c3.intoMemorySegment(y, y0 + 3 * VB, ORDER, m3);
    }
}
