package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The GEMM's per-call packing of x: blocks of rows copied into a per-thread float[] so that the micro-tiles of
 * {@link MatmulTiles} find, per k, the values they broadcast side by side ({@code [tiles][kc][tile rows]}). Which
 * tiles a block has (a 4-row lead tile and 12-row tiles with {@link MatmulTiles#WIDE}, then 4-row tiles) is
 * {@link MatmulTiles#wideRows}'s decision; packing and tiles must agree on it.
 */
final class PackedRows {
    private PackedRows() {}

    private static final int L = F.length();
    private static final int MR = Matmul.MR;
    private static final int MR_WIDE = MatmulTiles.MR_WIDE;

    static { // packWide16 stores its column vectors in this order
        for (int p = 0; L == 16 && p < 16; p++) {
            if (Transpose.COLUMN[p] != Integer.reverse(p) >>> 28) {
                throw new AssertionError("Transpose.COLUMN[" + p + "] = " + Transpose.COLUMN[p]
                        + ", packWide16 assumes " + (Integer.reverse(p) >>> 28));
            }
        }
    }

    /**
     * Per-thread scratch for {@link #packRows}: one M block ({@link Matmul#mBlock}) of a K block of x, grown to the
     * largest block a thread has packed (a call with few rows does not pay for the largest). A heap array, unlike the operands: it is never a
     * {@code MemorySegment}, so it leaves the JDK's segment access profiles alone (see {@link Mem#plain}).
     */
    private static final ThreadLocal<float[]> ROWS_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's scratch for blocks of {@code rows} x {@code cols} floats of x. */
    static float[] rowsScratch(int rows, int cols) {
        float[] a = ROWS_SCRATCH.get();
        // + L: packWide16's last whole-vector store of a block runs L - 12 floats past it
        int kc = Math.min(cols, Matmul.KC), last = cols > Matmul.KC ? cols % Matmul.KC : 0;
        long need = (long) Matmul.mBlock(rows, kc) * kc + L;
        if (last > 0) need = Math.max(need, (long) Matmul.mBlock(rows, last) * last + L);
        if (a.length < need) {
            a = new float[(int) need];
            ROWS_SCRATCH.set(a);
        }
        return a;
    }

    /**
     * Packs the full micro-tiles of rows {@code [i0, i1)} over columns {@code [k0, k1)} of x ({@code [M, K]}) into
     * {@code rows} as {@code [tiles][k1 - k0][tile rows]}: the values a micro-tile broadcasts per k lie side by side.
     * The tiles in order: with {@link MatmulTiles#wideRows} > 0 one {@value Matmul#MR}-row lead tile and the 12-row
     * tiles ({@link #packWide16} at 16 lanes, {@link #packWide} below), then {@value Matmul#MR}-row tiles. Vector
     * version of a 4-row tile: per L columns, the MR = 4 rows are loaded as 4 vectors and interleaved by two rounds of
     * two-vector selects (8 per 4L floats): 0.11 vs 0.43 ns per float for the element loop
     * ({@link #packRowsScalar}); packed GEMM 128x384x384 183 -> 191 GFLOP/s (in a MiniLM forward the gain was within
     * run-to-run noise).
     */
    static void packRows(MemorySegment x, float[] rows, int k, int i0, int i1, int k0, int k1) {
        x = Mem.plain(x);
        int kc = k1 - k0, wide = MatmulTiles.wideRows(i1 - i0), i = i0;
        if (wide > 0) {
            packTile(x, rows, k, i, k0, kc, 0);
            for (i += MR; i < i0 + MR + wide; i += MR_WIDE) {
                if (L == 16) packWide16(x, rows, k, i, k0, kc, (i - i0) * kc);
                else packWide(x, rows, k, i, k0, kc, 0, (i - i0) * kc);
            }
        }
        for (; i + MR <= i1; i += MR) {
            packTile(x, rows, k, i, k0, kc, (i - i0) * kc);
        }
    }

    /** {@link #packRows}' reference: one element at a time. */
    static void packRowsScalar(MemorySegment x, float[] rows, int k, int i0, int i1, int k0, int k1) {
        x = Mem.plain(x);
        int kc = k1 - k0, wide = MatmulTiles.wideRows(i1 - i0);
        for (int i = 0; i + MR <= i1 - i0; ) {
            int mr = i >= MR && i < MR + wide ? MR_WIDE : MR, out = i * kc;
            for (int r = 0; r < mr; r++) {
                long in = ((long) (i0 + i + r) * k + k0) * 4;
                for (int p = 0; p < kc; p++) {
                    rows[out + p * mr + r] = x.get(F32, in + (long) p * 4);
                }
            }
            i += mr;
        }
    }

    // rows i..i+11, columns k0+p0..k0+kc of x -> rows[out + p * 12 + r]: per k, twelve reads from twelve row
    // streams and one sequential run of writes
    private static void packWide(MemorySegment x, float[] rows, int k, int i, int k0, int kc, int p0, int out) {
        x = Mem.plain(x);
        long r0 = ((long) i * k + k0) * 4, rs = (long) k * 4;
        for (int p = p0; p < kc; p++) {
            long o = r0 + (long) p * 4;
            int w = out + p * MR_WIDE;
            for (int r = 0; r < MR_WIDE; r++) {
                rows[w + r] = x.get(F32, o + r * rs);
            }
        }
    }

    /**
     * {@link #packWide} at 16 lanes: per 16 columns of the 12 rows, the 12 row vectors (and 4 zero rows) are
     * transposed in registers by {@link Transpose}'s four rounds of two-vector selects (its LO_IX / HI_IX, the two
     * rounds that would only mix the zero rows skipped), which leaves column c of the block in vector
     * {@code bitreverse4(c)} ({@link Transpose#COLUMN}, checked at class load). Each column vector is stored whole at
     * {@code out + (p + c) * 12}, in increasing c: its last 4 lanes (zeros) land on the next column's first 4 slots,
     * which the next store then overwrites; the last store of the block runs 4 floats past it (the scratch has L
     * spare floats, and any tile packed after this one starts there and overwrites them). Columns past the last
     * whole block run the element loop.
     */
    private static void packWide16(MemorySegment x, float[] rows, int k, int i, int k0, int kc, int out) {
        x = Mem.plain(x); // compiled on its own: see Mem.plain
        FloatVector lo0 = FloatVector.fromArray(F, Transpose.LO_IX[0], 0);
        FloatVector hi0 = FloatVector.fromArray(F, Transpose.HI_IX[0], 0);
        FloatVector lo1 = FloatVector.fromArray(F, Transpose.LO_IX[1], 0);
        FloatVector hi1 = FloatVector.fromArray(F, Transpose.HI_IX[1], 0);
        FloatVector lo2 = FloatVector.fromArray(F, Transpose.LO_IX[2], 0);
        FloatVector hi2 = FloatVector.fromArray(F, Transpose.HI_IX[2], 0);
        FloatVector lo3 = FloatVector.fromArray(F, Transpose.LO_IX[3], 0);
        FloatVector hi3 = FloatVector.fromArray(F, Transpose.HI_IX[3], 0);
        FloatVector z = FloatVector.zero(F);
        long r0 = ((long) i * k + k0) * 4, rs = (long) k * 4;
        int p = 0;
        for (int bound = kc - 16; p <= bound; p += 16) {
            long o = r0 + (long) p * 4;
            FloatVector v0 = FloatVector.fromMemorySegment(F, x, o, ORDER);
            FloatVector v1 = FloatVector.fromMemorySegment(F, x, o + rs, ORDER);
            FloatVector v2 = FloatVector.fromMemorySegment(F, x, o + 2 * rs, ORDER);
            FloatVector v3 = FloatVector.fromMemorySegment(F, x, o + 3 * rs, ORDER);
            FloatVector v4 = FloatVector.fromMemorySegment(F, x, o + 4 * rs, ORDER);
            FloatVector v5 = FloatVector.fromMemorySegment(F, x, o + 5 * rs, ORDER);
            FloatVector v6 = FloatVector.fromMemorySegment(F, x, o + 6 * rs, ORDER);
            FloatVector v7 = FloatVector.fromMemorySegment(F, x, o + 7 * rs, ORDER);
            FloatVector v8 = FloatVector.fromMemorySegment(F, x, o + 8 * rs, ORDER);
            FloatVector v9 = FloatVector.fromMemorySegment(F, x, o + 9 * rs, ORDER);
            FloatVector v10 = FloatVector.fromMemorySegment(F, x, o + 10 * rs, ORDER);
            FloatVector v11 = FloatVector.fromMemorySegment(F, x, o + 11 * rs, ORDER);
            // round 0 (rows 12..15 are zero, so r0_12..r0_15 are too)
            FloatVector r0_0 = lo0.selectFrom(v0, v1), r0_1 = hi0.selectFrom(v0, v1);
            FloatVector r0_2 = lo0.selectFrom(v2, v3), r0_3 = hi0.selectFrom(v2, v3);
            FloatVector r0_4 = lo0.selectFrom(v4, v5), r0_5 = hi0.selectFrom(v4, v5);
            FloatVector r0_6 = lo0.selectFrom(v6, v7), r0_7 = hi0.selectFrom(v6, v7);
            FloatVector r0_8 = lo0.selectFrom(v8, v9), r0_9 = hi0.selectFrom(v8, v9);
            FloatVector r0_10 = lo0.selectFrom(v10, v11), r0_11 = hi0.selectFrom(v10, v11);
            // round 1 (r1_12..r1_15 zero)
            FloatVector r1_0 = lo1.selectFrom(r0_0, r0_2), r1_2 = hi1.selectFrom(r0_0, r0_2);
            FloatVector r1_1 = lo1.selectFrom(r0_1, r0_3), r1_3 = hi1.selectFrom(r0_1, r0_3);
            FloatVector r1_4 = lo1.selectFrom(r0_4, r0_6), r1_6 = hi1.selectFrom(r0_4, r0_6);
            FloatVector r1_5 = lo1.selectFrom(r0_5, r0_7), r1_7 = hi1.selectFrom(r0_5, r0_7);
            FloatVector r1_8 = lo1.selectFrom(r0_8, r0_10), r1_10 = hi1.selectFrom(r0_8, r0_10);
            FloatVector r1_9 = lo1.selectFrom(r0_9, r0_11), r1_11 = hi1.selectFrom(r0_9, r0_11);
            // round 2
            FloatVector r2_0 = lo2.selectFrom(r1_0, r1_4), r2_4 = hi2.selectFrom(r1_0, r1_4);
            FloatVector r2_1 = lo2.selectFrom(r1_1, r1_5), r2_5 = hi2.selectFrom(r1_1, r1_5);
            FloatVector r2_2 = lo2.selectFrom(r1_2, r1_6), r2_6 = hi2.selectFrom(r1_2, r1_6);
            FloatVector r2_3 = lo2.selectFrom(r1_3, r1_7), r2_7 = hi2.selectFrom(r1_3, r1_7);
            FloatVector r2_8 = lo2.selectFrom(r1_8, z), r2_12 = hi2.selectFrom(r1_8, z);
            FloatVector r2_9 = lo2.selectFrom(r1_9, z), r2_13 = hi2.selectFrom(r1_9, z);
            FloatVector r2_10 = lo2.selectFrom(r1_10, z), r2_14 = hi2.selectFrom(r1_10, z);
            FloatVector r2_11 = lo2.selectFrom(r1_11, z), r2_15 = hi2.selectFrom(r1_11, z);
            // round 3, stored in column order: column c is in r3_{bitreverse4(c)}
            int w = out + p * MR_WIDE;
            lo3.selectFrom(r2_0, r2_8).intoArray(rows, w);                  // r3_0: column 0
            hi3.selectFrom(r2_0, r2_8).intoArray(rows, w + MR_WIDE);        // r3_8: 1
            lo3.selectFrom(r2_4, r2_12).intoArray(rows, w + 2 * MR_WIDE);   // r3_4: 2
            hi3.selectFrom(r2_4, r2_12).intoArray(rows, w + 3 * MR_WIDE);   // r3_12: 3
            lo3.selectFrom(r2_2, r2_10).intoArray(rows, w + 4 * MR_WIDE);   // r3_2: 4
            hi3.selectFrom(r2_2, r2_10).intoArray(rows, w + 5 * MR_WIDE);   // r3_10: 5
            lo3.selectFrom(r2_6, r2_14).intoArray(rows, w + 6 * MR_WIDE);   // r3_6: 6
            hi3.selectFrom(r2_6, r2_14).intoArray(rows, w + 7 * MR_WIDE);   // r3_14: 7
            lo3.selectFrom(r2_1, r2_9).intoArray(rows, w + 8 * MR_WIDE);    // r3_1: 8
            hi3.selectFrom(r2_1, r2_9).intoArray(rows, w + 9 * MR_WIDE);    // r3_9: 9
            lo3.selectFrom(r2_5, r2_13).intoArray(rows, w + 10 * MR_WIDE);  // r3_5: 10
            hi3.selectFrom(r2_5, r2_13).intoArray(rows, w + 11 * MR_WIDE);  // r3_13: 11
            lo3.selectFrom(r2_3, r2_11).intoArray(rows, w + 12 * MR_WIDE);  // r3_3: 12
            hi3.selectFrom(r2_3, r2_11).intoArray(rows, w + 13 * MR_WIDE);  // r3_11: 13
            lo3.selectFrom(r2_7, r2_15).intoArray(rows, w + 14 * MR_WIDE);  // r3_7: 14
            hi3.selectFrom(r2_7, r2_15).intoArray(rows, w + 15 * MR_WIDE);  // r3_15: 15
        }
        packWide(x, rows, k, i, k0, kc, p, out);
    }

    /** Select indexes: PAIR_LO/HI interleave the first/second halves of two vectors lane by lane (a0 b0 a1 b1 ..). */
    private static final FloatVector PAIR_LO = indexes(i -> i % 2 == 0 ? i / 2 : L + i / 2);
    private static final FloatVector PAIR_HI = indexes(i -> i % 2 == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2);
    /** QUAD_LO/HI interleave two vectors two lanes at a time, from their first/second halves (ab0 cd0 ab1 cd1 ..). */
    private static final FloatVector QUAD_LO = indexes(i -> i % 4 < 2 ? i / 4 * 2 + i % 4 : L + i / 4 * 2 + i % 4 - 2);
    private static final FloatVector QUAD_HI = indexes(
            i -> i % 4 < 2 ? L / 2 + i / 4 * 2 + i % 4 : L + L / 2 + i / 4 * 2 + i % 4 - 2);

    private static FloatVector indexes(java.util.function.IntUnaryOperator f) {
        float[] a = new float[L];
        for (int i = 0; i < L; i++) a[i] = f.applyAsInt(i);
        return FloatVector.fromArray(F, a, 0);
    }

    // rows i..i+3, columns k0..k0+kc of x -> rows[out + p * 4 + r]; MR = 4 (the interleave is written for 4 rows)
    private static void packTile(MemorySegment x, float[] rows, int k, int i, int k0, int kc, int out) {
        x = Mem.plain(x);
        long r0 = ((long) i * k + k0) * 4, rs = (long) k * 4;
        int p = 0;
        for (int bound = kc - L; p <= bound; p += L) {
            long o = r0 + (long) p * 4;
            FloatVector a = FloatVector.fromMemorySegment(F, x, o, ORDER);
            FloatVector b = FloatVector.fromMemorySegment(F, x, o + rs, ORDER);
            FloatVector c = FloatVector.fromMemorySegment(F, x, o + 2 * rs, ORDER);
            FloatVector d = FloatVector.fromMemorySegment(F, x, o + 3 * rs, ORDER);
            FloatVector abLo = PAIR_LO.selectFrom(a, b), abHi = PAIR_HI.selectFrom(a, b);
            FloatVector cdLo = PAIR_LO.selectFrom(c, d), cdHi = PAIR_HI.selectFrom(c, d);
            int w = out + p * 4;
            QUAD_LO.selectFrom(abLo, cdLo).intoArray(rows, w);
            QUAD_HI.selectFrom(abLo, cdLo).intoArray(rows, w + L);
            QUAD_LO.selectFrom(abHi, cdHi).intoArray(rows, w + 2 * L);
            QUAD_HI.selectFrom(abHi, cdHi).intoArray(rows, w + 3 * L);
        }
        for (; p < kc; p++) {
            for (int r = 0; r < 4; r++) {
                rows[out + p * 4 + r] = x.get(F32, r0 + r * rs + (long) p * 4);
            }
        }
    }
}
