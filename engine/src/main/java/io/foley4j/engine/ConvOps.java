package io.foley4j.engine;

import io.foley4j.kernels.Checks;
import io.foley4j.kernels.Conv;
import io.foley4j.kernels.DepthwiseConv;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Tensor-level convolutions (F32, channels first, PyTorch weight layouts): shape checks, the batch loop, and the
 * split of output channels over a {@link WorkerPool}. The caller owns the scratch, sized once per model from
 * {@link #conv1dScratchFloats} / {@link #conv2dScratchFloats} of its largest layer.
 */
public final class ConvOps {
    private ConvOps() {}

    /** Multiply-adds one thread should get before a split pays for the hand-off. */
    private static final long MIN_MACS_PER_THREAD = 1L << 18;

    /** Hyper-parameters of a Conv1d layer; {@code padLeft != padRight} covers causal and "same" padding. */
    public record Conv1dParams(int stride, int padLeft, int padRight, int dilation, int groups) {
        public static Conv1dParams of(int stride, int padding) {
            return new Conv1dParams(stride, padding, padding, 1, 1);
        }
    }

    /** Hyper-parameters of a Conv2d layer (groups 1, dilation 1, symmetric padding). */
    public record Conv2dParams(int strideH, int strideW, int padH, int padW) {
        /** Non-overlapping patches (ViT patch embedding): stride = kernel, no padding. */
        public static Conv2dParams patch(int kh, int kw) {
            return new Conv2dParams(kh, kw, 0, 0);
        }
    }

    /** Sizes of one batch item: x [B, Cin, L] or [Cin, L], weight [Cout, Cin/groups, Kw]. */
    public static Conv.Geometry1d geometry1d(Tensor x, Tensor weight, Conv1dParams p) {
        Checks.require(x.rank() == 2 || x.rank() == 3, "conv1d", () -> "x must be [Cin, L] or [B, Cin, L], got " + x);
        Checks.require(weight.rank() == 3, "conv1d", () -> "weight must be [Cout, Cin/groups, Kw], got " + weight);
        Conv.Geometry1d g = new Conv.Geometry1d(x.dim(-2), x.dim(-1), weight.dim(0), weight.dim(2), p.stride(),
                p.padLeft(), p.padRight(), p.dilation(), p.groups());
        Checks.require(weight.dim(1) == g.cinPerGroup(), "conv1d", () -> "weight " + Arrays.toString(weight.shape())
                + " needs dimension 1 = Cin/groups = " + g.cin() + "/" + g.groups() + " for x " + Arrays.toString(x.shape()));
        return g;
    }

    /** Scratch floats conv1d needs on a pool of {@code threads}: one im2col column per thread. */
    public static long conv1dScratchFloats(Conv.Geometry1d g, int threads) {
        return (long) g.colLength() * threads;
    }

    /**
     * out = conv1d(x, weight) + bias. x [B, Cin, L] or [Cin, L] -> out [B, Cout, Lout] or [Cout, Lout]; bias [Cout]
     * or null; scratch of at least {@link #conv1dScratchFloats}(g, pool.threads()) floats.
     */
    public static void conv1d(WorkerPool pool, Tensor x, Tensor weight, Tensor bias, Conv1dParams p, Tensor out,
                              MemorySegment scratch) {
        Conv.Geometry1d g = geometry1d(x, weight, p);
        f32("conv1d", "x", x);
        f32("conv1d", "weight", weight);
        checkBias("conv1d", bias, g.cout());
        int batch = x.rank() == 3 ? x.dim(0) : 1;
        int[] want = x.rank() == 3 ? new int[] {batch, g.cout(), g.lout()} : new int[] {g.cout(), g.lout()};
        checkOut("conv1d", out, want);
        long perThread = g.colLength();
        Checks.require(scratch != null && scratch.byteSize() >= 4 * perThread * pool.threads(), "conv1d",
                () -> "scratch needs " + perThread * pool.threads() + " floats (" + pool.threads() + " threads x "
                        + perThread + "), got " + (scratch == null ? "null" : scratch.byteSize() / 4));
        MemorySegment b = bias == null ? null : bias.data();
        long macsPerChannel = Math.max(1L, (long) g.lout() * g.colLength());
        int parts = (int) Math.min(pool.threads(), Math.max(1, (long) g.cout() * macsPerChannel / MIN_MACS_PER_THREAD));
        for (int i = 0; i < batch; i++) {
            MemorySegment xi = item(x, i, batch), oi = item(out, i, batch);
            if (parts == 1) {
                Conv.conv1dF32(xi, weight.data(), b, oi, g, scratch, 0, g.cout());
                continue;
            }
            // one range of output channels per part, each part with its own im2col column
            pool.parallelFor(parts, 1, (s, e) -> {
                for (int part = s; part < e; part++) {
                    int co0 = (int) ((long) g.cout() * part / parts), co1 = (int) ((long) g.cout() * (part + 1) / parts);
                    Conv.conv1dF32(xi, weight.data(), b, oi, g, scratch.asSlice(4 * perThread * part, 4 * perThread),
                            co0, co1);
                }
            });
        }
    }

    /** Sizes of one batch item: x [B, Cin, H, W] or [Cin, H, W], weight [Cout, Cin, kh, kw]. */
    public static Conv.Geometry2d geometry2d(Tensor x, Tensor weight, Conv2dParams p) {
        Checks.require(x.rank() == 3 || x.rank() == 4, "conv2d",
                () -> "x must be [Cin, H, W] or [B, Cin, H, W], got " + x);
        Checks.require(weight.rank() == 4, "conv2d", () -> "weight must be [Cout, Cin, kh, kw], got " + weight);
        Checks.require(weight.dim(1) == x.dim(-3), "conv2d", () -> "weight " + Arrays.toString(weight.shape())
                + " needs Cin = " + x.dim(-3) + " for x " + Arrays.toString(x.shape()) + " (groups are not supported)");
        return new Conv.Geometry2d(x.dim(-3), x.dim(-2), x.dim(-1), weight.dim(0), weight.dim(2), weight.dim(3),
                p.strideH(), p.strideW(), p.padH(), p.padW());
    }

    /** Scratch floats conv2d needs: the im2col matrix [patches, Cin*kh*kw] of one batch item. */
    public static long conv2dScratchFloats(Conv.Geometry2d g) {
        return (long) g.patches() * g.colLength();
    }

    /**
     * out = conv2d(x, weight) + bias. x [B, Cin, H, W] or [Cin, H, W] -> out [B, Cout, Ho, Wo] or [Cout, Ho, Wo];
     * bias [Cout] or null; scratch of at least {@link #conv2dScratchFloats} floats. Two parallel passes per item:
     * im2col over patches, then dots over output channels.
     */
    public static void conv2d(WorkerPool pool, Tensor x, Tensor weight, Tensor bias, Conv2dParams p, Tensor out,
                              MemorySegment scratch) {
        Conv.Geometry2d g = geometry2d(x, weight, p);
        f32("conv2d", "x", x);
        f32("conv2d", "weight", weight);
        checkBias("conv2d", bias, g.cout());
        int batch = x.rank() == 4 ? x.dim(0) : 1;
        int[] want = x.rank() == 4 ? new int[] {batch, g.cout(), g.ho(), g.wo()} : new int[] {g.cout(), g.ho(), g.wo()};
        checkOut("conv2d", out, want);
        long need = conv2dScratchFloats(g);
        Checks.require(scratch != null && scratch.byteSize() >= 4 * need, "conv2d", () -> "scratch needs " + need
                + " floats (" + g.patches() + " patches x " + g.colLength() + "), got "
                + (scratch == null ? "null" : scratch.byteSize() / 4));
        MemorySegment b = bias == null ? null : bias.data();
        int minPatches = (int) Math.max(1, MIN_MACS_PER_THREAD / 8 / g.colLength()); // copies: cheap per element
        int minChannels = (int) Math.max(1, MIN_MACS_PER_THREAD / ((long) g.patches() * g.colLength()));
        for (int i = 0; i < batch; i++) {
            MemorySegment xi = item(x, i, batch), oi = item(out, i, batch);
            pool.parallelFor(g.patches(), minPatches, (p0, p1) -> Conv.im2colF32(xi, g, scratch, p0, p1));
            pool.parallelFor(g.cout(), minChannels, (c0, c1) -> Conv.conv2dColF32(scratch, weight.data(), b, oi, g, c0, c1));
        }
    }

    /**
     * Depthwise stride-1 conv1d on time-major rows (see {@link DepthwiseConv}): x [L, C] -> out [Lout, C],
     * Lout = L + padLeft + padRight - kw + 1; taps [kw, C] from {@link #depthwiseTaps}; bias [C] or null. Output rows
     * are split over the pool; each element is computed the same way whatever the split.
     */
    public static void depthwiseConv1dRows(WorkerPool pool, Tensor x, Tensor taps, Tensor bias, int padLeft,
                                           int padRight, Tensor out) {
        f32("depthwiseConv1d", "x", x);
        f32("depthwiseConv1d", "taps", taps);
        Checks.require(x.rank() == 2 && taps.rank() == 2 && taps.dim(1) == x.dim(1), "depthwiseConv1d",
                () -> "x must be [L, C] and taps [kw, C], got x " + Arrays.toString(x.shape()) + ", taps "
                        + Arrays.toString(taps.shape()));
        int len = x.dim(0), ch = x.dim(1), kw = taps.dim(0);
        int lout = DepthwiseConv.outLength(len, kw, padLeft, padRight);
        checkBias("depthwiseConv1d", bias, ch);
        checkOut("depthwiseConv1d", out, new int[] {lout, ch});
        MemorySegment b = bias == null ? null : bias.data();
        int minRows = (int) Math.max(1, MIN_MACS_PER_THREAD / ((long) kw * ch));
        pool.parallelFor(lout, minRows, (t0, t1) -> DepthwiseConv.conv1dRowsF32(x.data(), taps.data(), b,
                out.data(), len, ch, kw, padLeft, padRight, t0, t1));
    }

    /** Load-time repack of a depthwise PyTorch weight [C, 1, kw] into the taps layout [kw, C]. */
    public static Tensor depthwiseTaps(Arena arena, Tensor weight) {
        f32("depthwiseTaps", "weight", weight);
        Checks.require(weight.rank() == 3 && weight.dim(1) == 1, "depthwiseTaps",
                () -> "weight must be [C, 1, kw], got " + Arrays.toString(weight.shape()));
        int ch = weight.dim(0), kw = weight.dim(2);
        Tensor taps = Tensor.allocate(arena, DType.F32, kw, ch);
        for (int c = 0; c < ch; c++) {
            for (int k = 0; k < kw; k++) {
                taps.data().setAtIndex(Mem.F32, (long) k * ch + c, weight.data().getAtIndex(Mem.F32, (long) c * kw + k));
            }
        }
        return taps;
    }

    // ---- checks ----

    private static MemorySegment item(Tensor t, int i, int batch) {
        long bytes = t.data().byteSize() / batch;
        return batch == 1 ? t.data() : t.data().asSlice(bytes * i, bytes);
    }

    private static void f32(String op, String name, Tensor t) {
        Checks.require(t.dtype() == DType.F32, op, () -> name + " must be F32, got " + t);
    }

    private static void checkBias(String op, Tensor bias, int cout) {
        if (bias != null) {
            Checks.require(bias.dtype() == DType.F32 && bias.rank() == 1 && bias.dim(0) == cout, op,
                    () -> "bias must be F32 [" + cout + "], got " + bias);
        }
    }

    private static void checkOut(String op, Tensor out, int[] want) {
        Checks.require(out != null && out.dtype() == DType.F32 && Arrays.equals(out.shape(), want), op,
                () -> "out must be F32 " + Arrays.toString(want) + ", got " + out);
    }
}
