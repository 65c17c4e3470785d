package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * F32 linear layers in PyTorch layout: {@code y[M, N] = x[M, K] · w[N, K]^T + bias[N]} (bias may be null).
 * Every kernel computes the output tile rows {@code [m0, m1)} x columns {@code [n0, n1)} of the full {@code y},
 * so the engine can split rows and columns over threads. Other weight dtypes: {@link MatmulHalf},
 * {@link MatmulQ8}.
 *
 * <p>Two weight layouts:
 * <ul>
 * <li>unpacked {@code w[N, K]}: a dot-product formulation (4 weight rows per pass over one x row);
 * <li>packed by {@link #packF32} once at load time into column panels of {@link #PANEL} columns, each stored
 *     k-major ({@code [K][PANEL]}): the GEMM micro-kernel keeps a {@value #MR} x PANEL tile of y in registers
 *     and per k does four vector loads of w, {@value #MR} scalar broadcasts of x and 4*{@value #MR} fmas. Where
 *     there are 32 vector registers (AVX-512), each panel of an M block runs one {@value #MR}-row lead tile, then
 *     12-row x half-panel tiles ({@link MatmulTiles#WIDE}: 2 loads, 12 broadcasts and 24 fmas per k), then
 *     {@value #MR}-row tiles and single rows for what is left; property {@code foley4j.gemm.tile} chooses. Blocks
 *     of x ({@link #mBlock} rows x KC columns) are first packed per call into a per-thread array (see
 *     {@link PackedRows#packRows}).
 *     The packed size is {@code ceil(N / PANEL) * PANEL * K} floats (the last panel zero-padded to PANEL columns).
 *     The layout depends on the vector width of the running JVM.
 * </ul>
 */
public final class Matmul {
    private Matmul() {}

    /** The F32 GEMM micro-tile in use and why it was chosen (see {@link MatmulTiles#WIDE}), for reports. */
    public static String tile() {
        return MatmulTiles.TILE;
    }

    /** Columns per packed panel: four float vectors. */
    public static final int PANEL = 4 * F.length();
    /** Rows of y per micro-tile. */
    static final int MR = 4;
    /**
     * K block: a panel slice of KC x PANEL floats (256 KiB at 512 bits, in L2) serves every row tile of an M block;
     * y is written once per K block and read back by every block after the first (see {@link #start}), so a long
     * block keeps the y tile loads (mostly L2 misses) rare.
     */
    static final int KC = 1024;
    /**
     * M block: about this many bytes of x are packed at once by {@link PackedRows#packRows} and serve every panel of a
     * K block ({@link #mBlock}): 1 MiB, half a core's L2 here, so the packed rows stay in L2 next to the weight panels
     * they meet. Measured in one JVM switching the block size between runs (session 9,
     * bench/results/gemm-s9-2026-11-25.md): against the earlier fixed 1024 rows, 1024^3 +2.5% on 1 and 2 threads,
     * 1576x768x3072 +2.5%, 394x768x3072 +2.5% on 1 thread. Session 6 had found 1024 rows 1-3% faster than 256, before
     * the tiles touched the next weight block: a panel read again for the next M block now arrives ahead of use.
     * Earlier (session 5): KC 1024 with 256 rows beat 512 x 256 by 2-5%, 256 x 96 by 5-10%.
     */
    static final long MC_BYTES = 1L << 20;

    /**
     * Rows per M block of {@code rows} rows of x in a K block of {@code kc} columns: blocks of near-equal size, a
     * multiple of {@value #MR} rows (the last may be shorter), whose packed rows take about {@link #MC_BYTES} (at
     * least 16 rows). A block of up to 1.5 times that stays whole:
     * ViT-L/14's 257 rows at K 1024 (1 MiB + 4 KiB) as two blocks of 129 read every weight panel twice (-2%).
     */
    static int mBlock(int rows, int kc) {
        int cap = (int) Math.max(MatmulTiles.MR_WIDE + MR, MC_BYTES / (4L * Math.max(1, kc)));
        int blocks = Math.max(1, (rows + cap / 2) / cap);
        int mb = (rows + blocks - 1) / blocks;
        // whole MR-row tiles: a block starting off the 4-row grid would end in rows for the single-row tile
        return Math.max(1, Math.min(rows, (mb + MR - 1) / MR * MR));
    }

    static void checkLinear(String op, MemorySegment x, MemorySegment w, long wBytes, MemorySegment bias,
                            MemorySegment y, int m, int n, int k, int m0, int m1, int n0, int n1) {
        Checks.dims(op, "M, N, K", true, m, n, k);
        Checks.fits(op, () -> "x[M=" + m + ", K=" + k + "]", x, (long) m * k, 4);
        Checks.fits(op, () -> "w[N=" + n + ", K=" + k + "]", w, (long) n * k * wBytes, 1);
        if (bias != null) {
            Checks.fits(op, () -> "bias[N=" + n + "]", bias, n, 4);
        }
        Checks.fits(op, () -> "y[M=" + m + ", N=" + n + "]", y, (long) m * n, 4);
        Checks.range(op, "row", m0, m1, m);
        Checks.range(op, "column", n0, n1, n);
    }

    /** Lane i gets lane i ^ (L >> (level + 1)): each level folds the upper half of the live lanes onto the lower. */
    /** {@link Simd#sum}: lanes summed in a fixed order, whatever the JIT tier. */
    static float sum(FloatVector v) {
        return Simd.sum(v);
    }

    static float biasAt(MemorySegment bias, int n) {
        return bias == null ? 0f : bias.get(F32, (long) n * 4);
    }

    // ---- unpacked weights w[N, K] ----

    public static void matmulF32(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment y,
                                 int m, int n, int k, int m0, int m1, int n0, int n1) {
        checkLinear("matmulF32", x, w, 4, bias, y, m, n, k, m0, m1, n0, n1);
        if (Simd.SCALAR) matmulF32Scalar(x, w, bias, y, m, n, k, m0, m1, n0, n1);
        else matmulF32Vector(x, w, bias, y, m, n, k, m0, m1, n0, n1);
    }

    public static void matmulF32Scalar(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment y,
                                       int m, int n, int k, int m0, int m1, int n0, int n1) {
        x = Mem.plain(x); w = Mem.plain(w); bias = Mem.plain(bias); y = Mem.plain(y);
        for (int i = m0; i < m1; i++) {
            for (int j = n0; j < n1; j++) {
                float acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += x.get(F32, ((long) i * k + p) * 4) * w.get(F32, ((long) j * k + p) * 4);
                }
                y.set(F32, ((long) i * n + j) * 4, acc + biasAt(bias, j));
            }
        }
    }

    public static void matmulF32Vector(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment y,
                                       int m, int n, int k, int m0, int m1, int n0, int n1) {
        x = Mem.plain(x); w = Mem.plain(w); bias = Mem.plain(bias); y = Mem.plain(y);
        // weight rows outer so 4 rows of w stay in L1 while the rows of x stream past
        int j = n0;
        for (; j + 4 <= n1; j += 4) {
            for (int i = m0; i < m1; i++) {
                dot4F32(x, w, bias, y, n, k, i, j);
            }
        }
        for (; j < n1; j++) {
            for (int i = m0; i < m1; i++) {
                dot1F32(x, w, bias, y, n, k, i, j);
            }
        }
    }

    // y[i, j..j+3] = x[i, :] · w[j..j+3, :]
    private static void dot4F32(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment y,
                                int n, int k, int i, int j) {
        x = Mem.plain(x); w = Mem.plain(w); bias = Mem.plain(bias); y = Mem.plain(y);
        long xo = (long) i * k * 4, w0 = (long) j * k * 4, rs = (long) k * 4;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int p = 0;
        for (int upper = F.loopBound(k); p < upper; p += F.length()) {
            long o = (long) p * 4;
            FloatVector xv = FloatVector.fromMemorySegment(F, x, xo + o, ORDER);
            a0 = FloatVector.fromMemorySegment(F, w, w0 + o, ORDER).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(F, w, w0 + rs + o, ORDER).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(F, w, w0 + 2 * rs + o, ORDER).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(F, w, w0 + 3 * rs + o, ORDER).fma(xv, a3);
        }
        float s0 = sum(a0), s1 = sum(a1);
        float s2 = sum(a2), s3 = sum(a3);
        for (; p < k; p++) {
            long o = (long) p * 4;
            float xs = x.get(F32, xo + o);
            s0 += xs * w.get(F32, w0 + o);
            s1 += xs * w.get(F32, w0 + rs + o);
            s2 += xs * w.get(F32, w0 + 2 * rs + o);
            s3 += xs * w.get(F32, w0 + 3 * rs + o);
        }
        long yo = ((long) i * n + j) * 4;
        y.set(F32, yo, s0 + biasAt(bias, j));
        y.set(F32, yo + 4, s1 + biasAt(bias, j + 1));
        y.set(F32, yo + 8, s2 + biasAt(bias, j + 2));
        y.set(F32, yo + 12, s3 + biasAt(bias, j + 3));
    }

    private static void dot1F32(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment y,
                                int n, int k, int i, int j) {
        x = Mem.plain(x); w = Mem.plain(w); bias = Mem.plain(bias); y = Mem.plain(y);
        long xo = (long) i * k * 4, wo = (long) j * k * 4;
        FloatVector a = FloatVector.zero(F);
        int p = 0;
        for (int upper = F.loopBound(k); p < upper; p += F.length()) {
            long o = (long) p * 4;
            a = FloatVector.fromMemorySegment(F, w, wo + o, ORDER)
                    .fma(FloatVector.fromMemorySegment(F, x, xo + o, ORDER), a);
        }
        float s = sum(a);
        for (; p < k; p++) {
            s += x.get(F32, xo + (long) p * 4) * w.get(F32, wo + (long) p * 4);
        }
        y.set(F32, ((long) i * n + j) * 4, s + biasAt(bias, j));
    }

    // ---- packing: w[N, K] -> panels [ceil(N / PANEL)][K][PANEL], the last one zero-padded ----

    /** Floats needed by {@link #packF32} for a [N, K] weight: ceil(N / PANEL) * PANEL * K. */
    public static long packedF32Floats(int n, int k) {
        return (long) ((n + PANEL - 1) / PANEL) * PANEL * k;
    }

    /** Width of the panel holding column {@code j}. */
    static int panelWidth(int n, int j) {
        return Math.min(PANEL, n - j / PANEL * PANEL);
    }

    /** Float offset of element (column j = panel start, k = 0) in the packed layout. */
    static long panelOffset(int k, int j) {
        return (long) j * k; // all panels before j are full: j / PANEL * PANEL * K floats
    }

    /** Repacks weights rows {@code [n0, n1)} (n0 a multiple of PANEL, or n1 == N) into {@code packed}. */
    public static void packF32(MemorySegment w, MemorySegment packed, int n, int k, int n0, int n1) {
        w = Mem.plain(w); packed = Mem.plain(packed);
        Checks.dims("packF32", "N, K", true, n, k);
        Checks.fits("packF32", () -> "w[N=" + n + ", K=" + k + "]", w, (long) n * k, 4);
        Checks.fits("packF32", "packed", packed, packedF32Floats(n, k), 4);
        Checks.range("packF32", "row", n0, n1, n);
        Checks.require(n0 % PANEL == 0, "packF32", () -> "n0 = " + n0 + " is not a multiple of PANEL = " + PANEL);
        for (int j0 = n0; j0 < n1; j0 += PANEL) {
            int width = panelWidth(n, j0);
            long base = panelOffset(k, j0);
            for (int c = 0; c < PANEL; c++) {
                long src = (long) (j0 + c) * k;
                for (int p = 0; p < k; p++) {
                    float v = c < width ? w.get(F32, (src + p) * 4) : 0f;      // zero padding past column N
                    packed.set(F32, (base + (long) p * PANEL + c) * 4, v);
                }
            }
        }
    }

    /** Convenience for load time: packs the whole [N, K] weight. */
    public static void packF32(MemorySegment w, MemorySegment packed, int n, int k) {
        w = Mem.plain(w); packed = Mem.plain(packed);
        packF32(w, packed, n, k, 0, n);
    }

    // ---- packed weights ----

    public static void matmulF32Packed(MemorySegment x, MemorySegment packed, MemorySegment bias, MemorySegment y,
                                       int m, int n, int k, int m0, int m1, int n0, int n1) {
        checkLinear("matmulF32Packed", x, packed, 4, bias, y, m, n, k, m0, m1, n0, n1);
        Checks.require(n0 == n1 || (n0 % PANEL == 0 && (n1 % PANEL == 0 || n1 == n)), "matmulF32Packed",
                () -> "column range [" + n0 + ", " + n1 + ") does not start and end on panels of PANEL = " + PANEL);
        if (Simd.SCALAR) matmulF32PackedScalar(x, packed, bias, y, m, n, k, m0, m1, n0, n1);
        else matmulF32PackedVector(x, packed, bias, y, m, n, k, m0, m1, n0, n1);
    }

    public static void matmulF32PackedScalar(MemorySegment x, MemorySegment packed, MemorySegment bias,
                                             MemorySegment y, int m, int n, int k, int m0, int m1, int n0, int n1) {
        x = Mem.plain(x); packed = Mem.plain(packed); bias = Mem.plain(bias); y = Mem.plain(y);
        for (int i = m0; i < m1; i++) {
            for (int j = n0; j < n1; j++) {
                y.set(F32, ((long) i * n + j) * 4, packedDot(x, packed, k, i, j) + biasAt(bias, j));
            }
        }
    }

    /** The scalar references' x[i, :] · w[j, :] with w packed: one product per k, in k order. */
    private static float packedDot(MemorySegment x, MemorySegment packed, int k, int i, int j) {
        long base = panelOffset(k, j / PANEL * PANEL) + j % PANEL;
        float acc = 0;
        for (int p = 0; p < k; p++) {
            acc += x.get(F32, ((long) i * k + p) * 4) * packed.get(F32, (base + (long) p * PANEL) * 4);
        }
        return acc;
    }

    /**
     * {@code y = x · w^T} (no bias) for packed weights w[N, K], with y written in the packed weights layout rather
     * than row-major: {@code ceil(N / PANEL)} blocks of {@code [M][PANEL]}, element (i, j) at
     * {@code (j / PANEL) * M * PANEL + i * PANEL + j % PANEL}, the columns past N of the last block included (zero
     * weights give zeros). So y^T can serve at once as packed weights [N, M] of a next GEMM: attention computes
     * S^T = k q^T for all query panels in one call (x packed once) and runs (E v)^T over it.
     */
    public static void matmulF32PackedPanels(MemorySegment x, MemorySegment packed, MemorySegment y, int m, int n,
                                             int k) {
        String op = "matmulF32PackedPanels";
        Checks.dims(op, "M, N, K", true, m, n, k);
        Checks.fits(op, () -> "x[M=" + m + ", K=" + k + "]", x, (long) m * k, 4);
        Checks.fits(op, () -> "packed w[N=" + n + ", K=" + k + "]", packed, packedF32Floats(n, k), 4);
        Checks.fits(op, () -> "y (" + (n + PANEL - 1) / PANEL + " panels of [M=" + m + "][" + PANEL + "])", y,
                (long) (n + PANEL - 1) / PANEL * PANEL * m, 4);
        if (Simd.SCALAR) matmulF32PackedPanelsScalar(x, packed, y, m, n, k);
        else matmulF32PackedPanelsVector(x, packed, y, m, n, k);
    }

    public static void matmulF32PackedPanelsScalar(MemorySegment x, MemorySegment packed, MemorySegment y, int m,
                                                   int n, int k) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y);
        int np = (n + PANEL - 1) / PANEL * PANEL;
        for (int j = 0; j < np; j++) {
            long base = panelOffset(k, j / PANEL * PANEL) + j % PANEL;
            boolean real = j < n;
            for (int i = 0; i < m; i++) {
                float acc = 0;
                for (int p = 0; real && p < k; p++) {
                    acc += x.get(F32, ((long) i * k + p) * 4) * packed.get(F32, (base + (long) p * PANEL) * 4);
                }
                y.set(F32, ((long) (j / PANEL) * m * PANEL + (long) i * PANEL + j % PANEL) * 4, acc);
            }
        }
    }

    public static void matmulF32PackedPanelsVector(MemorySegment x, MemorySegment packed, MemorySegment y, int m,
                                                   int n, int k) {
        x = Mem.plain(x); packed = Mem.plain(packed); y = Mem.plain(y);
        long block = (long) m * PANEL * 4;
        if (k == 0) y.asSlice(0, (long) (n + PANEL - 1) / PANEL * block).fill((byte) 0);
        float[] rows = PackedRows.rowsScratch(m, k);
        for (int k0 = 0; k0 < k; k0 += KC) {
            int k1 = Math.min(k, k0 + KC);
            for (int i0 = 0, mb = mBlock(m, k1 - k0); i0 < m; i0 += mb) {
                int i1 = Math.min(m, i0 + mb);
                PackedRows.packRows(x, rows, k, i0, i1, k0, k1);
                for (int j = 0; j < n; j += PANEL) {
                    // the block of y is [M][PANEL] row-major: y's row length is PANEL there; a partial last panel
                    // runs whole (its weights are zero-padded), so every tile is the full-width one
                    long ahead = ahead(n, k, 0, n, j, m, i1, k0, k1);
                    MatmulTiles.panel(x, rows, packed, y.asSlice(j / PANEL * block, block), PANEL, k, i0, i1, 0,
                            PANEL, panelOffset(k, j) * 4, k0, k1, ahead, aheadBytes(k, ahead),
                            start(null, k0), startAt(null, j));
                }
            }
        }
    }

    /**
     * Byte offset of the weight block that the GEMM loops (K blocks, then M blocks, then panels of [n0, n1)) read
     * after panel j of K block [k0, k1) and the M block ending at row i1: the next panel's, else the first panel's
     * of the next M block, else of the next K block; -1 after the last. The tiles touch it ahead of use.
     */
    static long ahead(int n, int k, int n0, int n1, int j, int m1, int i1, int k0, int k1) {
        if (j + PANEL < n1) return (panelOffset(k, j + PANEL) + (long) k0 * PANEL) * 4;
        if (i1 < m1) return (panelOffset(k, n0) + (long) k0 * PANEL) * 4;
        if (k1 < k) return (panelOffset(k, n0) + (long) k1 * PANEL) * 4;
        return -1;
    }

    /**
     * Length in bytes of the block at {@link #ahead}, or 0 for none: one panel's rows of a K block. Panels start at
     * multiples of PANEL x K floats, so the offset's remainder gives the block's first k, and the block runs to the
     * next multiple of KC or to K.
     */
    static long aheadBytes(int k, long ahead) {
        if (ahead < 0 || k == 0) return 0;
        int k0 = (int) (ahead / 4 % ((long) PANEL * k) / PANEL);
        return (long) (Math.min(k, k0 + KC) - k0) * PANEL * 4;
    }

    /**
     * Zeros where the accumulators of the first K block start when there is no bias: four panel rows, as the few-row
     * path starts up to four panels from it ({@link #fewRows}).
     */
    static final MemorySegment ZEROS = java.lang.foreign.Arena.global().allocate(4 * PANEL * 4L, 64);

    /**
     * Where the micro-tiles of K block k0 start their accumulators ({@link MatmulTiles#panel}'s {@code start}): the
     * first from the bias (or {@link #ZEROS}), read with row stride 0, the later ones from y, which holds the earlier
     * blocks' sums. So y is only written by the first block, never filled first and read back: a y not in cache
     * (each linear of a forward writes a different one, 2.4 MiB for ViT-B/16's fc1) costs its loads' misses
     * otherwise, ~4% of fc1 on one thread (session 9, bench/results/gemm-s9-2026-11-25.md).
     */
    static MemorySegment start(MemorySegment bias, int k0) {
        return k0 > 0 ? null : bias != null ? bias : ZEROS;
    }

    /** y[m0:m1, n0:n1] = bias (or 0): the whole result when K = 0, where no K block runs. */
    static void initTile(MemorySegment bias, MemorySegment y, int n, int m0, int m1, int n0, int n1) {
        bias = Mem.plain(bias); y = Mem.plain(y);
        long bytes = (long) (n1 - n0) * 4;
        for (int i = m0; i < m1; i++) {
            long row = ((long) i * n + n0) * 4;
            if (bias == null) {
                y.asSlice(row, bytes).fill((byte) 0);
            } else {
                MemorySegment.copy(bias, (long) n0 * 4, y, row, bytes);
            }
        }
    }

    /** Byte offset of column j in {@link #start}'s segment. */
    static long startAt(MemorySegment bias, int j) {
        return bias != null ? j * 4L : 0;
    }

    /**
     * K block of the few-row path for 2-3 rows: a run of 4 panels' block is 256 KiB at 512 bits, a quarter of L2 here.
     * Measured in GemmProbe on 3x4096x4096 and 2x4096x4096 (session 13, 4 streams, GFLOP/s on 1 / 2 threads): KC
     * (1024) 33 / 51 and 29 / 44, 512 42 / 93 and 34 / 77, 256 42-46 / 79-95 and 34-35 / 57-81, 128 41 / 66 and
     * 33 / 75.
     */
    static final int FEW_KC = 256;

    /**
     * The packed GEMM for fewer rows than a micro-tile (a matrix-vector product, or 2-3 rows): nothing to reuse across
     * rows, so the speed is how fast the weights stream in from memory. Runs of up to {@link MatmulTiles#streams}
     * full panels of one group are read side by side ({@link MatmulTiles#tile1x4}, {@link MatmulTiles#tile1x2}):
     * each panel is its own sequential stream, and the prefetchers run further ahead with several than with the one of
     * {@link MatmulTiles#tile1}. One row takes K whole (each panel read once, front to back); more rows take K blocks
     * of {@link #FEW_KC}, rows inside, so the next row finds the run's block in L2. x is read in place (nothing to
     * pack). Same products in the same order as the tiles.
     */
    private static void fewRows(MemorySegment x, MemorySegment packed, MemorySegment bias, MemorySegment y,
                                MemorySegment[] ys, int groupN, int n, int k, int m0, int m1, int n0, int n1) {
        int kb = m1 - m0 == 1 ? k : FEW_KC, full = n / PANEL * PANEL; // panels below full have all PANEL columns
        long ps = (long) PANEL * k * 4; // bytes from one panel to the next
        for (int k0 = 0; k0 < k; k0 += kb) {
            int k1 = Math.min(k, k0 + kb);
            MemorySegment start = start(bias, k0);
            for (int j = n0; j < n1; ) {
                int g = j / groupN, jg = j - g * groupN;
                MemorySegment yg = ys == null ? y : ys[g];
                // full panels from j to the end of the range, the group and the full panels, at most streams of them
                int run = Math.min(MatmulTiles.streams, (Math.min(Math.min(n1, full), (g + 1) * groupN) - j) / PANEL);
                int panels = run >= 4 ? 4 : run >= 2 ? 2 : 1;
                long pw = panelOffset(k, j) * 4;
                MemorySegment s = start != null ? start : yg;
                for (int i = m0; i < m1; i++) {
                    // the accumulators start from the bias (or zeros) at column j, or from y's row i
                    long so = start != null ? startAt(bias, j) : ((long) i * groupN + jg) * 4;
                    if (panels == 4) {
                        MatmulTiles.tile1x4(x, packed, yg, groupN, k, i, jg, pw, ps, k0, k1, s, so);
                    } else if (panels == 2) {
                        MatmulTiles.tile1x2(x, packed, yg, groupN, k, i, jg, pw, ps, k0, k1, s, so);
                    } else if (panelWidth(n, j) == PANEL) {
                        MatmulTiles.tile1(x, packed, yg, groupN, k, i, jg, pw, k0, k1, s, so);
                    } else {
                        MatmulTiles.tile1Masked(x, packed, yg, groupN, k, i, jg, pw, panelWidth(n, j), k0, k1, s, so);
                    }
                }
                j += panels * PANEL;
            }
        }
    }

    public static void matmulF32PackedVector(MemorySegment x, MemorySegment packed, MemorySegment bias,
                                             MemorySegment y, int m, int n, int k, int m0, int m1, int n0, int n1) {
        groupsVector(x, packed, bias, y, null, n, m, n, k, m0, m1, n0, n1);
    }

    // ---- packed weights, output in column groups ----

    /**
     * The packed GEMM with its N output columns in {@code ys.length} groups of {@code groupN}: columns
     * {@code [g * groupN, (g + 1) * groupN)} go to {@code ys[g]}, a row-major {@code [M, groupN]} of its own. So
     * linears that read the same x run as one GEMM over their weights packed one after the other (a transformer's q,
     * k and v: {@code packed} is {@code [3 * D, K]}, the bias {@code [3 * D]}): x is packed once, the pool is handed one
     * call, and the tiles touch each next panel across the boundaries, while the outputs stay separate tensors.
     * groupN must be a multiple of {@link #PANEL}, so no panel straddles two groups. Same products in the same order
     * as {@link #matmulF32Packed} on each group's weights.
     */
    public static void matmulF32PackedGroups(MemorySegment x, MemorySegment packed, MemorySegment bias,
                                             MemorySegment[] ys, int groupN, int m, int n, int k, int m0, int m1,
                                             int n0, int n1) {
        String op = "matmulF32PackedGroups";
        Checks.require(ys != null && ys.length > 0, op, "no output groups");
        Checks.require(groupN > 0 && groupN % PANEL == 0, op,
                () -> "group width " + groupN + " is not a positive multiple of PANEL = " + PANEL);
        Checks.require((long) ys.length * groupN == n, op,
                () -> ys.length + " output groups of " + groupN + " columns do not make N = " + n);
        Checks.dims(op, "M, N, K", true, m, n, k);
        Checks.fits(op, () -> "x[M=" + m + ", K=" + k + "]", x, (long) m * k, 4);
        Checks.fits(op, () -> "packed w[N=" + n + ", K=" + k + "]", packed, packedF32Floats(n, k), 4);
        if (bias != null) {
            Checks.fits(op, () -> "bias[N=" + n + "]", bias, n, 4);
        }
        for (int g = 0; g < ys.length; g++) {
            int group = g;
            Checks.require(ys[g] != null, op, () -> "output group " + group + " is null");
            Checks.fits(op, () -> "y" + group + "[M=" + m + ", " + groupN + "]", ys[g], (long) m * groupN, 4);
        }
        Checks.range(op, "row", m0, m1, m);
        Checks.range(op, "column", n0, n1, n);
        Checks.require(n0 % PANEL == 0 && n1 % PANEL == 0, op,
                () -> "column range [" + n0 + ", " + n1 + ") does not start and end on panels of PANEL = " + PANEL);
        if (Simd.SCALAR) matmulF32PackedGroupsScalar(x, packed, bias, ys, groupN, m, n, k, m0, m1, n0, n1);
        else groupsVector(x, packed, bias, null, ys, groupN, m, n, k, m0, m1, n0, n1);
    }

    public static void matmulF32PackedGroupsScalar(MemorySegment x, MemorySegment packed, MemorySegment bias,
                                                   MemorySegment[] ys, int groupN, int m, int n, int k, int m0,
                                                   int m1, int n0, int n1) {
        x = Mem.plain(x); packed = Mem.plain(packed); bias = Mem.plain(bias);
        for (int i = m0; i < m1; i++) {
            for (int j = n0; j < n1; j++) {
                Mem.plain(ys[j / groupN]).set(F32, ((long) i * groupN + j % groupN) * 4,
                        packedDot(x, packed, k, i, j) + biasAt(bias, j));
            }
        }
    }

    // the vector GEMM over groups of groupN columns, written to ys[g] (or, with ys null, one group of N to y: no array
    // per call): the panel loops use the global column j for the weights, the bias and the next block; each group's y
    // sees its own column j % groupN
    private static void groupsVector(MemorySegment x, MemorySegment packed, MemorySegment bias, MemorySegment y,
                                     MemorySegment[] ys, int groupN, int m, int n, int k, int m0, int m1, int n0,
                                     int n1) {
        x = Mem.plain(x); packed = Mem.plain(packed); bias = Mem.plain(bias); y = Mem.plain(y);
        for (int g = 0; k == 0 && g * groupN < n; g++) { // no K block runs: each group's y = its bias (or 0)
            int c0 = Math.max(n0, g * groupN) - g * groupN, c1 = Math.min(n1, (g + 1) * groupN) - g * groupN;
            if (c0 < c1) {
                initTile(bias == null ? null : bias.asSlice(4L * g * groupN, 4L * groupN), ys == null ? y : ys[g],
                        groupN, m0, m1, c0, c1);
            }
        }
        if (m1 - m0 < MR) {
            fewRows(x, packed, bias, y, ys, groupN, n, k, m0, m1, n0, n1);
            return;
        }
        float[] rows = PackedRows.rowsScratch(m1 - m0, k);
        for (int k0 = 0; k0 < k; k0 += KC) {
            int k1 = Math.min(k, k0 + KC);
            for (int i0 = m0, mb = mBlock(m1 - m0, k1 - k0); i0 < m1; i0 += mb) {
                int i1 = Math.min(m1, i0 + mb);
                PackedRows.packRows(x, rows, k, i0, i1, k0, k1);
                for (int j = n0; j < n1; j += PANEL) {
                    int g = j / groupN;
                    long ahead = ahead(n, k, n0, n1, j, m1, i1, k0, k1);
                    MatmulTiles.panel(x, rows, packed, ys == null ? y : ys[g], groupN, k, i0, i1, j - g * groupN,
                            panelWidth(n, j), panelOffset(k, j) * 4, k0, k1, ahead, aheadBytes(k, ahead),
                            start(bias, k0), startAt(bias, j));
                }
            }
        }
    }
}
