package io.foley4j.engine;

import io.foley4j.kernels.Matmul;
import io.foley4j.kernels.MatmulHalf;
import io.foley4j.kernels.MatmulQ8;
import io.foley4j.kernels.Quant;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Linear layers on tensors, PyTorch layout: {@code y[..., N] = x[..., K] · w[N, K]^T + bias[N]}, x and y F32,
 * the leading dimensions of x flattened into M rows. The weight dtype is dispatched once per call; the output
 * is split into at most one tile per thread over a {@link WorkerPool}: columns first, so each thread streams
 * its own weights, and rows as well when there are fewer column units than threads; the packed GEMMs split rows
 * first when x is tall enough ({@link #ROWS_FIRST_MIN}).
 *
 * <p>Weight dtypes: F32, F32_PACKED ({@link #packF32}, the fast GEMM layout), F16, BF16, I8_ROW, I8_ROW_PACKED
 * ({@link #packQ8}), I8_BLOCK32 (dequantized on the fly). {@link #linearQ8Q8} quantizes the activations per row
 * (dynamic W8A8).
 */
public final class LinearOps {
    private LinearOps() {}

    /** Below this many multiply-adds per thread a thread hand-off costs more than it saves (512^2 matvec). */
    static final long MIN_MACS_PER_THREAD = 1L << 20;
    /** Row unit of a split: the packed GEMM micro-tile height (Matmul.MR), so row ranges keep full tiles. */
    static final int ROW_UNIT = 4;
    /** Column unit of the dot-product kernels: they compute 4 weight rows per pass. */
    static final int DOT_COLUMNS = 4;

    /** Output tile {@code [m0, m1) x [n0, n1)}. */
    @FunctionalInterface
    interface Tile {
        void run(int m0, int m1, int n0, int n1);
    }

    /**
     * Scratch for {@link #linearQ8Q8}: {@code q[maxRows, k]} int8 activations, {@code scales[maxRows]} and
     * {@code dequantized[maxRows, k]} F32 ({@code q * scale}, the GEMM path's input), allocated once per model state
     * (e.g. {@code allocate(arena, maxTokens, hidden)}) and reused by every call.
     */
    public record Q8Activations(MemorySegment q, MemorySegment scales, MemorySegment dequantized, int maxRows, int k) {
        public static Q8Activations allocate(Arena arena, int maxRows, int k) {
            return new Q8Activations(arena.allocate(Math.max(1, (long) maxRows * k), 64),
                    arena.allocate(Math.max(1, (long) maxRows) * 4, 64),
                    arena.allocate(Math.max(1, (long) maxRows * k) * 4, 64), maxRows, k);
        }
    }

    public static void linear(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor y) {
        linear(pool, x, w, bias, y, MIN_MACS_PER_THREAD);
    }

    /** {@link #linear} with the split threshold as a parameter, so tests can split small shapes. */
    static void linear(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor y, long minMacs) {
        int m = checkShapes("linear", x, w, bias, y);
        int n = w.dim(0), k = w.dim(1);
        MemorySegment xs = x.data(), ws = w.data(), ys = y.data(), sc = w.scales();
        MemorySegment bs = bias == null ? null : bias.data();
        switch (w.dtype()) {
            case F32 -> split(pool, minMacs, m, n, k, DOT_COLUMNS,
                    (m0, m1, n0, n1) -> Matmul.matmulF32(xs, ws, bs, ys, m, n, k, m0, m1, n0, n1));
            case F32_PACKED -> split(pool, minMacs, m, n, k, Matmul.PANEL, ROWS_FIRST_MIN,
                    (m0, m1, n0, n1) -> Matmul.matmulF32Packed(xs, ws, bs, ys, m, n, k, m0, m1, n0, n1));
            case F16 -> split(pool, minMacs, m, n, k, DOT_COLUMNS,
                    (m0, m1, n0, n1) -> MatmulHalf.matmulF16xF32(xs, ws, bs, ys, m, n, k, m0, m1, n0, n1));
            case BF16 -> split(pool, minMacs, m, n, k, DOT_COLUMNS,
                    (m0, m1, n0, n1) -> MatmulHalf.matmulBF16xF32(xs, ws, bs, ys, m, n, k, m0, m1, n0, n1));
            case I8_ROW -> split(pool, minMacs, m, n, k, DOT_COLUMNS,
                    (m0, m1, n0, n1) -> MatmulQ8.matmulQ8xF32(xs, ws, sc, bs, ys, m, n, k, m0, m1, n0, n1));
            case I8_ROW_PACKED -> split(pool, minMacs, m, n, k, Matmul.PANEL, ROWS_FIRST_MIN,
                    (m0, m1, n0, n1) -> MatmulQ8.matmulQ8PackedxF32(xs, ws, sc, bs, ys, m, n, k, m0, m1, n0, n1));
            case I8_BLOCK32 -> split(pool, minMacs, m, n, k, DOT_COLUMNS,
                    (m0, m1, n0, n1) -> MatmulQ8.matmulQ8BxF32(xs, ws, sc, bs, ys, m, n, k, m0, m1, n0, n1));
            default -> throw new IllegalArgumentException("linear: weight w " + w + " has unsupported dtype "
                    + w.dtype() + " (supported: F32, F32_PACKED, F16, BF16, I8_ROW, I8_ROW_PACKED, I8_BLOCK32)");
        }
    }

    /**
     * Linears that read the same x, run as one GEMM: {@code w} is their F32_PACKED weights stacked
     * ({@code [G * D, K]}, e.g. q, k and v packed one after the other), {@code bias} their biases stacked
     * ({@code [G * D]}) or null, and {@code ys[g]} gets {@code x · w_g^T + bias_g} ({@code [..., D]}, the leading shape
     * of x). The same numbers as G calls of {@link #linear} (same products, same order), for one packing of x and one
     * hand-off to the pool. D must be a multiple of {@link Matmul#PANEL}.
     */
    public static void linearGroups(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor... ys) {
        String op = "linearGroups";
        if (w.dtype() != DType.F32_PACKED || w.rank() != 2) {
            throw new IllegalArgumentException(op + ": weight w " + w + " must be F32_PACKED [G * D, K]");
        }
        if (ys == null || ys.length == 0 || w.dim(0) % ys.length != 0) {
            throw new IllegalArgumentException(op + ": " + (ys == null ? 0 : ys.length) + " outputs cannot split the "
                    + w.dim(0) + " rows of w " + w + " evenly");
        }
        int groupN = w.dim(0) / ys.length, k = w.dim(1);
        if (groupN % Matmul.PANEL != 0) {
            throw new IllegalArgumentException(op + ": group width " + groupN + " of w " + w
                    + " is not a multiple of the panel width " + Matmul.PANEL);
        }
        Tensor wg = Tensor.of(DType.F32, w.data().asSlice(0, 4L * groupN * k), groupN, k); // shape stand-in for checks
        int m = -1;
        MemorySegment[] ysd = new MemorySegment[ys.length];
        for (int g = 0; g < ys.length; g++) {
            int mg = checkShapes(op, x, wg, null, ys[g]);
            if (m >= 0 && mg != m) {
                throw new IllegalArgumentException(op + ": output " + g + " " + ys[g] + " has " + mg + " rows, not " + m);
            }
            m = mg;
            ysd[g] = ys[g].data();
        }
        if (bias != null && (bias.dtype() != DType.F32 || bias.rank() != 1 || bias.dim(0) != w.dim(0))) {
            throw new IllegalArgumentException(op + ": bias " + bias + " must be F32 [" + w.dim(0) + "] for w " + w);
        }
        int rows = m, n = w.dim(0);
        MemorySegment xs = x.data(), ws = w.data(), bs = bias == null ? null : bias.data();
        split(pool, MIN_MACS_PER_THREAD, rows, n, k, Matmul.PANEL, ROWS_FIRST_MIN,
                (m0, m1, n0, n1) -> Matmul.matmulF32PackedGroups(xs, ws, bs, ysd, groupN, rows, n, k, m0, m1, n0, n1));
    }

    /**
     * INT8 x INT8: quantizes each row of x into {@code act} (scale = maxabs / 127) and computes
     * {@code y = xScale[i] * wScale[j] * (xq[i] · wq[j]) + bias[j]} with I8_ROW or I8_ROW_PACKED weights.
     * I8_ROW with fewer than {@link MatmulQ8#GEMM_MIN_ROWS} rows accumulates in INT32 (exact); otherwise the
     * rows are dequantized ({@code xq * xScale}, the fake-quantized activations) into {@code act.dequantized()} and
     * run through the F32 GEMM with the weights widened per panel: the same value up to F32 rounding of the sum
     * (the Vector API has no INT8 dot product, so the F32 micro-kernel is the faster INT8 path).
     */
    public static void linearQ8Q8(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor y, Q8Activations act) {
        linearQ8Q8(pool, x, w, bias, y, act, MIN_MACS_PER_THREAD);
    }

    static void linearQ8Q8(WorkerPool pool, Tensor x, Tensor w, Tensor bias, Tensor y, Q8Activations act,
                           long minMacs) {
        int m = checkShapes("linearQ8Q8", x, w, bias, y);
        int n = w.dim(0), k = w.dim(1);
        if (w.dtype() != DType.I8_ROW && w.dtype() != DType.I8_ROW_PACKED) {
            throw new IllegalArgumentException("linearQ8Q8: weight w " + w + " must be I8_ROW or I8_ROW_PACKED");
        }
        if (act == null || act.k() != k || act.maxRows() < m) {
            throw new IllegalArgumentException("linearQ8Q8: activation scratch " + (act == null ? "null"
                    : "[maxRows=" + act.maxRows() + ", k=" + act.k() + "]") + " cannot hold x " + x
                    + " (M=" + m + ", K=" + k + ")");
        }
        MemorySegment xs = x.data(), ws = w.data(), ys = y.data(), sc = w.scales(), q = act.q(), qs = act.scales();
        MemorySegment xf = act.dequantized(), bs = bias == null ? null : bias.data();
        int rowsPerThread = (int) Math.max(1, minMacs / Math.max(1, k));
        if (w.dtype() == DType.I8_ROW && m < MatmulQ8.GEMM_MIN_ROWS) {
            pool.parallelFor(m, rowsPerThread, (r0, r1) -> Quant.quantizeRowsQ8(xs, q, qs, k, r0, r1));
            split(pool, minMacs, m, n, k, DOT_COLUMNS,
                    (m0, m1, n0, n1) -> MatmulQ8.matmulQ8Q8(q, qs, ws, sc, bs, ys, m, n, k, m0, m1, n0, n1));
            return;
        }
        pool.parallelFor(m, rowsPerThread, (r0, r1) -> {
            Quant.quantizeRowsQ8(xs, q, qs, k, r0, r1);
            Quant.dequantizeRowsQ8(q, qs, xf, k, r0, r1);
        });
        if (w.dtype() == DType.I8_ROW) {
            split(pool, minMacs, m, n, k, DOT_COLUMNS,
                    (m0, m1, n0, n1) -> MatmulQ8.matmulQ8xF32(xf, ws, sc, bs, ys, m, n, k, m0, m1, n0, n1));
        } else {
            split(pool, minMacs, m, n, k, Matmul.PANEL, ROWS_FIRST_MIN,
                    (m0, m1, n0, n1) -> MatmulQ8.matmulQ8PackedxF32(xf, ws, sc, bs, ys, m, n, k, m0, m1, n0, n1));
        }
    }

    /** Load-time repacking of F32 weights {@code [N, K]} into the {@link DType#F32_PACKED} panel layout. */
    public static Tensor packF32(Arena arena, Tensor w) {
        requireWeight("packF32", w, DType.F32);
        int n = w.dim(0), k = w.dim(1);
        MemorySegment p = arena.allocate(Matmul.packedF32Floats(n, k) * 4, 64);
        Matmul.packF32(w.data(), p, n, k);
        return Tensor.of(DType.F32_PACKED, p, n, k);
    }

    /**
     * Load-time packing of G F32 weights {@code [D, K]} of one shape, one after another, into the stacked F32_PACKED
     * {@code [G * D, K]} that {@link #linearGroups} takes. D must be a multiple of {@link Matmul#PANEL}; then group g
     * alone is a packed {@code [D, K]} too ({@link #packedGroup}), so the layers can also run one by one on views
     * of the same memory.
     */
    public static Tensor packF32Stacked(Arena arena, Tensor... ws) {
        if (ws.length == 0) {
            throw new IllegalArgumentException("packF32Stacked: no weights");
        }
        int d = ws[0].rank() == 2 ? ws[0].dim(0) : -1, k = ws[0].rank() == 2 ? ws[0].dim(1) : -1;
        for (Tensor w : ws) {
            requireWeight("packF32Stacked", w, DType.F32);
            if (w.dim(0) != d || w.dim(1) != k) {
                throw new IllegalArgumentException("packF32Stacked: weights differ in shape: " + w + " and " + ws[0]);
            }
        }
        if (d % Matmul.PANEL != 0) {
            throw new IllegalArgumentException("packF32Stacked: " + d + " rows per weight is not a multiple of the "
                    + "panel width " + Matmul.PANEL);
        }
        long bytes = Matmul.packedF32Floats(d, k) * 4;
        MemorySegment all = arena.allocate(Math.max(1, bytes * ws.length), 64);
        for (int g = 0; g < ws.length; g++) {
            Matmul.packF32(ws[g].data(), all.asSlice(g * bytes, bytes), d, k);
        }
        return Tensor.of(DType.F32_PACKED, all.asSlice(0, bytes * ws.length), d * ws.length, k);
    }

    /** Group g of {@code groups} of a {@link #packF32Stacked} weight: the packed {@code [D, K]} of that layer. */
    public static Tensor packedGroup(Tensor stacked, int groups, int g) {
        if (stacked.dtype() != DType.F32_PACKED || stacked.rank() != 2 || groups < 1 || stacked.dim(0) % groups != 0
                || g < 0 || g >= groups || stacked.dim(0) / groups % Matmul.PANEL != 0) {
            throw new IllegalArgumentException("packedGroup: cannot take group " + g + " of " + groups + " from "
                    + stacked);
        }
        int d = stacked.dim(0) / groups, k = stacked.dim(1);
        long bytes = Matmul.packedF32Floats(d, k) * 4;
        return Tensor.of(DType.F32_PACKED, stacked.data().asSlice(g * bytes, bytes), d, k);
    }

    /**
     * Load-time repacking of I8_ROW weights {@code [N, K]} into the {@link DType#I8_ROW_PACKED} panel layout, in
     * {@code arena} with a copy of {@code w}'s scales: {@code w} may be freed afterwards.
     */
    public static Tensor packQ8(Arena arena, Tensor w) {
        requireWeight("packQ8", w, DType.I8_ROW);
        int n = w.dim(0), k = w.dim(1);
        MemorySegment p = arena.allocate(MatmulQ8.packedQ8Bytes(n, k), 64);
        MatmulQ8.packQ8(w.data(), p, n, k);
        // the scales too, so that the result owns all it reads: w may be a temporary (DitWeights) or a mapped file
        MemorySegment scales = arena.allocate(w.scales().byteSize(), 64);
        MemorySegment.copy(w.scales(), 0, scales, 0, w.scales().byteSize());
        return Tensor.of(DType.I8_ROW_PACKED, p, scales, n, k);
    }

    /** Load-time conversion of F32 weights {@code [N, K]} to F16, BF16, I8_ROW or I8_BLOCK32. */
    public static Tensor quantize(Arena arena, Tensor w, DType to) {
        requireWeight("quantize", w, DType.F32);
        int n = w.dim(0), k = w.dim(1);
        Tensor out = Tensor.allocate(arena, to, n, k);
        switch (to) {
            case F16 -> Quant.f32ToF16(w.data(), out.data(), 0, (long) n * k);
            case BF16 -> Quant.f32ToBf16(w.data(), out.data(), 0, (long) n * k);
            case I8_ROW -> Quant.quantizeRowsQ8(w.data(), out.data(), out.scales(), k, 0, n);
            case I8_BLOCK32 -> Quant.quantizeBlocksQ8(w.data(), out.data(), out.scales(), k, 0, n);
            default -> throw new IllegalArgumentException("quantize: cannot convert " + w + " to " + to
                    + " (supported: F16, BF16, I8_ROW, I8_BLOCK32; F32_PACKED via packF32)");
        }
        return out;
    }

    private static void requireWeight(String op, Tensor w, DType dtype) {
        if (w.rank() != 2 || w.dtype() != dtype) {
            throw new IllegalArgumentException(op + ": weight w must be " + dtype + " [N, K], got " + w);
        }
    }

    /** Validates x [..., K], w [N, K], bias [N] or null, y [..., N] with the leading shape of x; returns M. */
    static int checkShapes(String op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        if (w.rank() != 2) {
            throw new IllegalArgumentException(op + ": weight w must be [N, K], got " + w);
        }
        int n = w.dim(0), k = w.dim(1);
        if (x.dtype() != DType.F32 || y.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": x and y must be F32, got x " + x + ", y " + y);
        }
        if (x.rank() < 1 || x.dim(-1) != k) {
            throw new IllegalArgumentException(op + ": x " + x + " must end in K = " + k + " of w " + w);
        }
        int[] lead = Arrays.copyOf(x.shape(), x.rank() - 1);
        if (y.rank() != x.rank() || y.dim(-1) != n || !Arrays.equals(lead, Arrays.copyOf(y.shape(), y.rank() - 1))) {
            int[] want = Arrays.copyOf(x.shape(), x.rank());
            want[want.length - 1] = n;
            throw new IllegalArgumentException(op + ": y " + y + " must be " + Arrays.toString(want) + " for x " + x
                    + " and w " + w);
        }
        if (bias != null && (bias.dtype() != DType.F32 || bias.rank() != 1 || bias.dim(0) != n)) {
            throw new IllegalArgumentException(op + ": bias " + bias + " must be F32 [" + n + "] for w " + w);
        }
        long m = x.numel() / Math.max(1, k);
        return k == 0 ? Math.toIntExact(y.numel() / Math.max(1, n)) : Math.toIntExact(m);
    }

    /**
     * Splits y[M, N] into at most {@code threads} tiles of at least {@code minMacs} multiply-adds: columns in units of
     * {@code columnUnit} first, then rows in units of {@link #ROW_UNIT}.
     */
    static void split(WorkerPool pool, long minMacs, int m, int n, int k, int columnUnit, Tile tile) {
        split(pool, minMacs, m, n, k, columnUnit, Integer.MAX_VALUE, tile);
    }

    /**
     * Rows of y per thread from which the packed GEMMs (F32_PACKED, I8_ROW_PACKED) split rows before columns.
     * Measured on 2 threads, one JVM per shape (M x K x N): rows first was 2-10% faster from 197 rows per thread up
     * (394x768x3072, 1024^3, ViT's batch-8 shapes at 1576 rows); INT8 panels +4-10% at 1576 rows. Each thread packs
     * only its own rows of x, and both threads read the same weight panels close together in time, so the second
     * finds them in L3. Columns first was 2-9% faster at 64-98 rows per thread (128x384x1536, 197x768x3072): a
     * thread's half of the weights stays in its own L2, and half the rows run less of the 12-row tile; at 128 rows per
     * thread (256x1024x1024) the two were within 2% either way. Measure: {@code bin/foley bench-class SplitProbe}; figures: bench/results/gemm-s9-2026-11-25.md.
     */
    static final int ROWS_FIRST_MIN = 192;

    /**
     * {@link #split} that splits rows first when every row part keeps at least {@code rowsFirstMin} rows: the number
     * of row parts is the largest divisor of the thread parts that allows it, the columns split the rest; where there
     * are fewer column panels than that leaves threads, the rows split further (shorter parts, no idle thread).
     */
    static void split(WorkerPool pool, long minMacs, int m, int n, int k, int columnUnit, int rowsFirstMin,
                      Tile tile) {
        long macs = (long) m * n * Math.max(1, k);
        int parts = (int) Math.min(pool.threads(), Math.max(1, macs / Math.max(1, minMacs)));
        int colUnits = (n + columnUnit - 1) / columnUnit, rowUnits = (m + ROW_UNIT - 1) / ROW_UNIT;
        int colParts, rowParts;
        int rowsFirst = rowsFirstParts(parts, m, rowsFirstMin);
        if (rowsFirst > 1) {
            colParts = Math.max(1, Math.min(parts / rowsFirst, colUnits));
            // too few column panels for the threads left: more, shorter row parts rather than idle threads
            rowParts = Math.max(rowsFirst, Math.min(parts / colParts, rowUnits));
        } else {
            colParts = Math.max(1, Math.min(parts, colUnits));
            rowParts = Math.max(1, Math.min(parts / colParts, rowUnits));
        }
        if (colParts * rowParts == 1) {
            tile.run(0, m, 0, n);
            return;
        }
        int cols = colParts, rows = rowParts;
        pool.parallelFor(cols * rows, 1, (start, end) -> {
            for (int t = start; t < end; t++) {
                int rp = t / cols, cp = t % cols;
                int m0 = Math.min(m, part(rowUnits, rows, rp) * ROW_UNIT);
                int m1 = Math.min(m, part(rowUnits, rows, rp + 1) * ROW_UNIT);
                int n0 = Math.min(n, part(colUnits, cols, cp) * columnUnit);
                int n1 = Math.min(n, part(colUnits, cols, cp + 1) * columnUnit);
                tile.run(m0, m1, n0, n1);
            }
        });
    }

    /**
     * Row parts for a rows-first split: the largest divisor of {@code parts} whose row parts (in units of
     * {@link #ROW_UNIT}, as {@link #split} cuts them) all keep at least {@code rowsFirstMin} rows; 1 for none.
     */
    static int rowsFirstParts(int parts, int m, int rowsFirstMin) {
        int rowUnits = (m + ROW_UNIT - 1) / ROW_UNIT;
        for (int r = Math.min(parts, m / Math.max(1, rowsFirstMin)); r > 1; r--) {
            if (parts % r != 0) continue;
            boolean tall = true;
            for (int i = 0; i < r && tall; i++) {
                int m0 = Math.min(m, part(rowUnits, r, i) * ROW_UNIT), m1 = Math.min(m, part(rowUnits, r, i + 1) * ROW_UNIT);
                tall = m1 - m0 >= rowsFirstMin;
            }
            if (tall) return r;
        }
        return 1;
    }

    private static int part(int units, int parts, int i) {
        return (int) ((long) units * i / parts);
    }
}
