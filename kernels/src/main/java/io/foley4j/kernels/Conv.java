package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Convolutions on F32, one batch item at a time, channels first, PyTorch weight layouts and semantics
 * (cross-correlation, zero padding). Kernels work on an output-channel range so the engine can split them.
 *
 * <p>conv1d: {@code out[co, p] = bias[co] + sum_{ci in group(co), k} w[co, ci, k] * x[ci, p*stride + k*dilation - padLeft]}
 * with x read as zero outside {@code [0, len)}. The vector path has two formulations:
 * <ul>
 * <li>stride 1: for each (co, ci, tap) broadcast the weight and fma across a run of output positions
 *     (2 output channels x 4 vectors of positions held in registers over all (ci, tap)); the last vector of a row
 *     overlaps the previous one instead of a scalar tail. Positions whose taps reach into the padding (the edges)
 *     run the column formulation below.
 * <li>stride &gt; 1 (or a stride-1 output too short to fill a vector): per output position, gather the im2col column
 *     {@code col[ci*kw + k]} (the layout of one weight row) into the caller's scratch, then dot it against four weight
 *     rows at a time. Vectorized over {@code cinPerGroup*kw}: fast for large kernels (STFT-as-conv, 256 taps) and
 *     many input channels; a depthwise kw=3 strided conv has 3-element dots and runs at scalar speed.
 * </ul>
 *
 * <p>conv2d (groups 1, no dilation): {@link #im2colF32} copies patches into {@code col [patches, cin*kh*kw]}, then
 * {@link #conv2dColF32} computes {@code out[co, p] = bias[co] + w[co, :] . col[p, :]}. Stride = kernel with no
 * padding (ViT patch embedding) is a plain row copy per (ci, i); any stride and padding are handled by the same
 * two steps, reading zeros outside the image.
 */
public final class Conv {
    private Conv() {}

    /** conv1d sizes; input [cin, len], weight [cout, cin/groups, kw], output [cout, lout()]. */
    public record Geometry1d(int cin, int len, int cout, int kw, int stride, int padLeft, int padRight,
                             int dilation, int groups) {
        public Geometry1d {
            Checks.dims("conv1d", "(cin, len, cout, kw)", false, cin, len, cout, kw);
            Checks.require(stride >= 1, "conv1d", () -> "stride must be >= 1, got " + stride);
            Checks.require(dilation >= 1, "conv1d", () -> "dilation must be >= 1, got " + dilation);
            Checks.require(padLeft >= 0 && padRight >= 0, "conv1d",
                    () -> "padding must be >= 0, got (" + padLeft + ", " + padRight + ")");
            Checks.require(groups >= 1 && cin % groups == 0 && cout % groups == 0, "conv1d",
                    () -> "groups " + groups + " must divide cin " + cin + " and cout " + cout);
            long extent = (long) dilation * (kw - 1) + 1;
            Checks.require((long) len + padLeft + padRight >= extent, "conv1d", () -> "kernel extent " + extent
                    + " (kw " + kw + ", dilation " + dilation + ") exceeds the padded input length "
                    + ((long) len + padLeft + padRight));
        }

        public int lout() {
            return (int) (((long) len + padLeft + padRight - (long) dilation * (kw - 1) - 1) / stride + 1);
        }

        public int cinPerGroup() {
            return cin / groups;
        }

        public int coutPerGroup() {
            return cout / groups;
        }

        /** Floats in one weight row = one im2col column: cinPerGroup * kw. */
        public int colLength() {
            return cinPerGroup() * kw;
        }
    }

    /**
     * conv2d sizes (groups 1, dilation 1, symmetric padding); input [cin, height, width], weight [cout, cin, kh, kw],
     * output [cout, ho(), wo()].
     */
    public record Geometry2d(int cin, int height, int width, int cout, int kh, int kw, int strideH, int strideW,
                             int padH, int padW) {
        public Geometry2d {
            Checks.dims("conv2d", "(cin, height, width, cout, kh, kw)", false, cin, height, width, cout, kh, kw);
            Checks.require(strideH >= 1 && strideW >= 1, "conv2d",
                    () -> "stride must be >= 1, got (" + strideH + ", " + strideW + ")");
            Checks.require(padH >= 0 && padW >= 0, "conv2d",
                    () -> "padding must be >= 0, got (" + padH + ", " + padW + ")");
            Checks.require((long) height + 2L * padH >= kh && (long) width + 2L * padW >= kw, "conv2d",
                    () -> "kernel " + kh + "x" + kw + " exceeds the padded input " + ((long) height + 2L * padH) + "x"
                            + ((long) width + 2L * padW));
            Math.multiplyExact(Math.multiplyExact((long) cin, kh), (long) kw);
        }

        public int ho() {
            return (height + 2 * padH - kh) / strideH + 1;
        }

        public int wo() {
            return (width + 2 * padW - kw) / strideW + 1;
        }

        public int patches() {
            return Math.multiplyExact(ho(), wo());
        }

        /** Floats in one weight row = one im2col row: cin * kh * kw. */
        public int colLength() {
            return cin * kh * kw;
        }
    }

    // ---- conv1d: out [cout, lout] for output channels [co0, co1) ----

    private static void check1d(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment out,
                                Geometry1d g, MemorySegment col, int co0, int co1) {
        Checks.require(g != null, "conv1d", "geometry is null");
        Checks.fits("conv1d", () -> "x [" + g.cin() + ", " + g.len() + "]", x, (long) g.cin() * g.len(), 4);
        Checks.fits("conv1d", () -> "w [" + g.cout() + ", " + g.cinPerGroup() + ", " + g.kw() + "]", w,
                (long) g.cout() * g.colLength(), 4);
        if (bias != null) {
            Checks.fits("conv1d", () -> "bias [" + g.cout() + "]", bias, g.cout(), 4);
        }
        Checks.fits("conv1d", () -> "out [" + g.cout() + ", " + g.lout() + "]", out, (long) g.cout() * g.lout(), 4);
        Checks.fits("conv1d", () -> "col (scratch) [" + g.colLength() + "]", col, g.colLength(), 4);
        Checks.range("conv1d", "output channel", co0, co1, g.cout());
    }

    /** {@code col}: caller-owned scratch of {@code g.colLength()} floats (one per thread). {@code bias} may be null. */
    public static void conv1dF32(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment out,
                                 Geometry1d g, MemorySegment col, int co0, int co1) {
        check1d(x, w, bias, out, g, col, co0, co1);
        if (Simd.SCALAR) conv1dF32Scalar(x, w, bias, out, g, col, co0, co1);
        else conv1dF32Vector(x, w, bias, out, g, col, co0, co1);
    }

    public static void conv1dF32Scalar(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment out,
                                       Geometry1d g, MemorySegment col, int co0, int co1) {
        int lout = g.lout();
        for (int co = co0; co < co1; co++) {
            for (int p = 0; p < lout; p++) {
                out.set(F32, ((long) co * lout + p) * 4, conv1dAt(x, w, bias, g, co, p));
            }
        }
    }

    /** One output element, reading zeros outside the input. */
    private static float conv1dAt(MemorySegment x, MemorySegment w, MemorySegment bias, Geometry1d g, int co, int p) {
        x = Mem.plain(x); w = Mem.plain(w); bias = Mem.plain(bias);
        int cpg = g.cinPerGroup(), kw = g.kw(), len = g.len(), dil = g.dilation();
        int ciBase = co / g.coutPerGroup() * cpg;
        long wRow = (long) co * cpg * kw;
        int start = p * g.stride() - g.padLeft();
        float acc = bias == null ? 0f : bias.get(F32, co * 4L);
        for (int ci = 0; ci < cpg; ci++) {
            long xRow = (long) (ciBase + ci) * len;
            for (int k = 0; k < kw; k++) {
                int pos = start + k * dil;
                if (pos >= 0 && pos < len) {
                    acc = Math.fma(w.get(F32, (wRow + (long) ci * kw + k) * 4), x.get(F32, (xRow + pos) * 4), acc);
                }
            }
        }
        return acc;
    }

    public static void conv1dF32Vector(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment out,
                                       Geometry1d g, MemorySegment col, int co0, int co1) {
        x = Mem.plain(x); w = Mem.plain(w); bias = Mem.plain(bias); out = Mem.plain(out); col = Mem.plain(col);
        if (g.stride() == 1) {
            int lout = g.lout();
            // interior [pLo, pHi): every tap of position p lies inside [0, len)
            int pLo = Math.min(lout, g.padLeft());
            long hi = (long) g.len() + g.padLeft() - (long) g.dilation() * (g.kw() - 1);
            int pHi = (int) Math.max(pLo, Math.min(lout, hi));
            if (pHi - pLo >= F.length()) {
                conv1dColumns(x, w, bias, out, g, col, co0, co1, 0, pLo); // the edges read padding
                conv1dColumns(x, w, bias, out, g, col, co0, co1, pHi, lout);
                for (int co = co0; co < co1; ) {
                    boolean pair = co + 1 < co1 && (co + 1) / g.coutPerGroup() == co / g.coutPerGroup();
                    int from = pair ? conv1dPairStride1(x, w, bias, out, g, co, pLo, pHi) : pLo;
                    conv1dRowStride1(x, w, bias, out, g, co, from, pHi);
                    if (pair) {
                        conv1dRowStride1(x, w, bias, out, g, co + 1, from, pHi);
                    }
                    co += pair ? 2 : 1;
                }
                return;
            }
        }
        conv1dColumns(x, w, bias, out, g, col, co0, co1, 0, g.lout());
    }

    /**
     * Rows {@code co} and {@code co + 1} (one group) of a stride-1 conv over blocks of 4 vectors of interior positions
     * from {@code pLo}: each x load feeds both rows. Returns the first position it left undone.
     */
    private static int conv1dPairStride1(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment out,
                                         Geometry1d g, int co, int pLo, int pHi) {
        x = Mem.plain(x); w = Mem.plain(w); bias = Mem.plain(bias); out = Mem.plain(out);
        int lout = g.lout(), len = g.len(), kw = g.kw(), cpg = g.cinPerGroup(), lanes = F.length();
        long dil4 = 4L * g.dilation(), step = 4L * lanes, wNext = 4L * cpg * kw;
        int ciBase = co / g.coutPerGroup() * cpg;
        long wRow = (long) co * cpg * kw * 4, outRow = (long) co * lout * 4, outNext = 4L * lout;
        FloatVector b0 = FloatVector.broadcast(F, bias == null ? 0f : bias.get(F32, co * 4L));
        FloatVector b1 = FloatVector.broadcast(F, bias == null ? 0f : bias.get(F32, co * 4L + 4));
        int p = pLo;
        for (; p + 4 * lanes <= pHi; p += 4 * lanes) {
            FloatVector a0 = b0, a1 = b0, a2 = b0, a3 = b0, c0 = b1, c1 = b1, c2 = b1, c3 = b1;
            for (int k = 0; k < kw; k++) {
                long xo = ((long) ciBase * len + p - g.padLeft()) * 4 + k * dil4, wo = wRow + 4L * k;
                for (int ci = 0; ci < cpg; ci++, xo += 4L * len, wo += 4L * kw) {
                    FloatVector wa = FloatVector.broadcast(F, w.get(F32, wo));
                    FloatVector wb = FloatVector.broadcast(F, w.get(F32, wo + wNext));
                    FloatVector x0 = FloatVector.fromMemorySegment(F, x, xo, ORDER);
                    FloatVector x1 = FloatVector.fromMemorySegment(F, x, xo + step, ORDER);
                    FloatVector x2 = FloatVector.fromMemorySegment(F, x, xo + 2 * step, ORDER);
                    FloatVector x3 = FloatVector.fromMemorySegment(F, x, xo + 3 * step, ORDER);
                    a0 = x0.fma(wa, a0);
                    a1 = x1.fma(wa, a1);
                    a2 = x2.fma(wa, a2);
                    a3 = x3.fma(wa, a3);
                    c0 = x0.fma(wb, c0);
                    c1 = x1.fma(wb, c1);
                    c2 = x2.fma(wb, c2);
                    c3 = x3.fma(wb, c3);
                }
            }
            long o = outRow + 4L * p;
            a0.intoMemorySegment(out, o, ORDER);
            a1.intoMemorySegment(out, o + step, ORDER);
            a2.intoMemorySegment(out, o + 2 * step, ORDER);
            a3.intoMemorySegment(out, o + 3 * step, ORDER);
            c0.intoMemorySegment(out, o + outNext, ORDER);
            c1.intoMemorySegment(out, o + outNext + step, ORDER);
            c2.intoMemorySegment(out, o + outNext + 2 * step, ORDER);
            c3.intoMemorySegment(out, o + outNext + 3 * step, ORDER);
        }
        return p;
    }

    /**
     * Interior positions {@code [from, pHi)} of output row {@code co} of a stride-1 conv, in vectors of positions; the
     * last vector is placed to end at {@code pHi}, overlapping positions already done (the caller guarantees an
     * interior of at least one vector), so no interior position runs scalar.
     */
    private static void conv1dRowStride1(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment out,
                                         Geometry1d g, int co, int from, int pHi) {
        x = Mem.plain(x); w = Mem.plain(w); bias = Mem.plain(bias); out = Mem.plain(out);
        int lout = g.lout(), len = g.len(), kw = g.kw(), cpg = g.cinPerGroup(), lanes = F.length();
        long dil4 = 4L * g.dilation(), step = 4L * lanes;
        int ciBase = co / g.coutPerGroup() * cpg;
        long wRow = (long) co * cpg * kw * 4, outRow = (long) co * lout;
        FloatVector b = FloatVector.broadcast(F, bias == null ? 0f : bias.get(F32, co * 4L));
        int p = from;
        for (; p + 4 * lanes <= pHi; p += 4 * lanes) {
            FloatVector a0 = b, a1 = b, a2 = b, a3 = b;
            for (int ci = 0; ci < cpg; ci++) {
                long xo = ((long) (ciBase + ci) * len + p - g.padLeft()) * 4, wo = wRow + (long) ci * kw * 4;
                for (int k = 0; k < kw; k++, xo += dil4) {
                    FloatVector wv = FloatVector.broadcast(F, w.get(F32, wo + 4L * k));
                    a0 = FloatVector.fromMemorySegment(F, x, xo, ORDER).fma(wv, a0);
                    a1 = FloatVector.fromMemorySegment(F, x, xo + step, ORDER).fma(wv, a1);
                    a2 = FloatVector.fromMemorySegment(F, x, xo + 2 * step, ORDER).fma(wv, a2);
                    a3 = FloatVector.fromMemorySegment(F, x, xo + 3 * step, ORDER).fma(wv, a3);
                }
            }
            long o = (outRow + p) * 4;
            a0.intoMemorySegment(out, o, ORDER);
            a1.intoMemorySegment(out, o + step, ORDER);
            a2.intoMemorySegment(out, o + 2 * step, ORDER);
            a3.intoMemorySegment(out, o + 3 * step, ORDER);
        }
        for (; p < pHi; p += lanes) {
            p = Math.min(p, pHi - lanes);
            FloatVector a = b;
            for (int ci = 0; ci < cpg; ci++) {
                long xo = ((long) (ciBase + ci) * len + p - g.padLeft()) * 4, wo = wRow + (long) ci * kw * 4;
                for (int k = 0; k < kw; k++, xo += dil4) {
                    a = FloatVector.fromMemorySegment(F, x, xo, ORDER)
                            .fma(FloatVector.broadcast(F, w.get(F32, wo + 4L * k)), a);
                }
            }
            a.intoMemorySegment(out, (outRow + p) * 4, ORDER);
        }
    }

    /**
     * Positions {@code [p0, p1)}, any stride and dilation: per position, gather the column once, dot it against the
     * group's weight rows.
     */
    private static void conv1dColumns(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment out,
                                      Geometry1d g, MemorySegment col, int co0, int co1, int p0, int p1) {
        x = Mem.plain(x); w = Mem.plain(w); bias = Mem.plain(bias); out = Mem.plain(out); col = Mem.plain(col);
        int copg = g.coutPerGroup(), lout = g.lout(), n = g.colLength();
        for (int grp = co0 / copg; grp * copg < co1; grp++) {
            int c0 = Math.max(co0, grp * copg), c1 = Math.min(co1, (grp + 1) * copg);
            for (int p = p0; p < p1; p++) {
                gather1d(x, g, grp, p, col);
                int co = c0;
                for (; co + 4 <= c1; co += 4) {
                    dot4(w, co, n, col, 0, bias, out, lout, p);
                }
                for (; co < c1; co++) {
                    dot1(w, co, n, col, 0, bias, out, lout, p);
                }
            }
        }
    }

    // col[ci*kw + k] = x[grp*cpg + ci, p*stride + k*dilation - padLeft], zero outside the input
    private static void gather1d(MemorySegment x, Geometry1d g, int grp, int p, MemorySegment col) {
        x = Mem.plain(x); col = Mem.plain(col);
        int cpg = g.cinPerGroup(), kw = g.kw(), len = g.len(), dil = g.dilation();
        int start = p * g.stride() - g.padLeft();
        boolean inside = start >= 0 && (long) start + (long) dil * (kw - 1) < len;
        for (int ci = 0; ci < cpg; ci++) {
            long xRow = (long) (grp * cpg + ci) * len, cOff = (long) ci * kw;
            if (inside && dil == 1) {
                MemorySegment.copy(x, (xRow + start) * 4, col, cOff * 4, kw * 4L);
                continue;
            }
            for (int k = 0; k < kw; k++) {
                int pos = start + k * dil;
                float v = pos >= 0 && pos < len ? x.get(F32, (xRow + pos) * 4) : 0f;
                col.set(F32, (cOff + k) * 4, v);
            }
        }
    }

    // out[(co+r)*outStride + outIdx] = bias[co+r] + w[co+r, 0:n] . col[colIdx : colIdx+n], r = 0..3
    private static void dot4(MemorySegment w, int co, int n, MemorySegment col, long colIdx, MemorySegment bias,
                             MemorySegment out, long outStride, long outIdx) {
        w = Mem.plain(w); col = Mem.plain(col); bias = Mem.plain(bias); out = Mem.plain(out);
        long c = colIdx * 4, w0 = (long) co * n * 4, w1 = w0 + 4L * n, w2 = w1 + 4L * n, w3 = w2 + 4L * n;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int k = 0;
        for (int ub = F.loopBound(n); k < ub; k += F.length()) {
            long o = 4L * k;
            FloatVector cv = FloatVector.fromMemorySegment(F, col, c + o, ORDER);
            a0 = FloatVector.fromMemorySegment(F, w, w0 + o, ORDER).fma(cv, a0);
            a1 = FloatVector.fromMemorySegment(F, w, w1 + o, ORDER).fma(cv, a1);
            a2 = FloatVector.fromMemorySegment(F, w, w2 + o, ORDER).fma(cv, a2);
            a3 = FloatVector.fromMemorySegment(F, w, w3 + o, ORDER).fma(cv, a3);
        }
        float s0 = Simd.sum(a0), s1 = Simd.sum(a1);
        float s2 = Simd.sum(a2), s3 = Simd.sum(a3);
        for (; k < n; k++) {
            long o = 4L * k;
            float cv = col.get(F32, c + o);
            s0 = Math.fma(w.get(F32, w0 + o), cv, s0);
            s1 = Math.fma(w.get(F32, w1 + o), cv, s1);
            s2 = Math.fma(w.get(F32, w2 + o), cv, s2);
            s3 = Math.fma(w.get(F32, w3 + o), cv, s3);
        }
        if (bias != null) {
            s0 += bias.get(F32, co * 4L);
            s1 += bias.get(F32, co * 4L + 4);
            s2 += bias.get(F32, co * 4L + 8);
            s3 += bias.get(F32, co * 4L + 12);
        }
        long o = (co * outStride + outIdx) * 4, os = outStride * 4;
        out.set(F32, o, s0);
        out.set(F32, o + os, s1);
        out.set(F32, o + 2 * os, s2);
        out.set(F32, o + 3 * os, s3);
    }

    private static void dot1(MemorySegment w, int co, int n, MemorySegment col, long colIdx, MemorySegment bias,
                             MemorySegment out, long outStride, long outIdx) {
        w = Mem.plain(w); col = Mem.plain(col); bias = Mem.plain(bias); out = Mem.plain(out);
        long c = colIdx * 4, w0 = (long) co * n * 4;
        FloatVector a = FloatVector.zero(F);
        int k = 0;
        for (int ub = F.loopBound(n); k < ub; k += F.length()) {
            a = FloatVector.fromMemorySegment(F, w, w0 + 4L * k, ORDER)
                    .fma(FloatVector.fromMemorySegment(F, col, c + 4L * k, ORDER), a);
        }
        float s = Simd.sum(a);
        for (; k < n; k++) {
            s = Math.fma(w.get(F32, w0 + 4L * k), col.get(F32, c + 4L * k), s);
        }
        if (bias != null) {
            s += bias.get(F32, co * 4L);
        }
        out.set(F32, (co * outStride + outIdx) * 4, s);
    }

    // ---- conv2d = im2col + row dots ----

    /**
     * {@code col[p, (ci*kh + i)*kw + j] = x[ci, oh*strideH + i - padH, ow*strideW + j - padW]} (zero outside) for
     * patches {@code p = oh*wo + ow} in {@code [p0, p1)}. Pure data movement: in-bounds rows are bulk copies.
     */
    public static void im2colF32(MemorySegment x, Geometry2d g, MemorySegment col, int p0, int p1) {
        Checks.require(g != null, "im2col", "geometry is null");
        Checks.fits("im2col", () -> "x [" + g.cin() + ", " + g.height() + ", " + g.width() + "]", x,
                (long) g.cin() * g.height() * g.width(), 4);
        Checks.fits("im2col", () -> "col [" + g.patches() + ", " + g.colLength() + "]", col,
                (long) g.patches() * g.colLength(), 4);
        Checks.range("im2col", "patch", p0, p1, g.patches());
        int wo = g.wo(), kh = g.kh(), kw = g.kw(), hgt = g.height(), wid = g.width(), n = g.colLength();
        for (int p = p0; p < p1; p++) {
            int top = p / wo * g.strideH() - g.padH(), left = p % wo * g.strideW() - g.padW();
            boolean rowInside = left >= 0 && left + kw <= wid;
            long c = (long) p * n;
            for (int ci = 0; ci < g.cin(); ci++) {
                for (int i = 0; i < kh; i++, c += kw) {
                    int ih = top + i;
                    long xRow = ((long) ci * hgt + ih) * wid;
                    if (ih >= 0 && ih < hgt && rowInside) {
                        MemorySegment.copy(x, (xRow + left) * 4, col, c * 4, kw * 4L);
                        continue;
                    }
                    for (int j = 0; j < kw; j++) {
                        int iw = left + j;
                        boolean in = ih >= 0 && ih < hgt && iw >= 0 && iw < wid;
                        col.set(F32, (c + j) * 4, in ? x.get(F32, (xRow + iw) * 4) : 0f);
                    }
                }
            }
        }
    }

    private static void checkCol(MemorySegment col, MemorySegment w, MemorySegment bias, MemorySegment out,
                                 Geometry2d g, int co0, int co1) {
        Checks.require(g != null, "conv2d", "geometry is null");
        Checks.fits("conv2d", () -> "col [" + g.patches() + ", " + g.colLength() + "]", col,
                (long) g.patches() * g.colLength(), 4);
        Checks.fits("conv2d", () -> "w [" + g.cout() + ", " + g.cin() + ", " + g.kh() + ", " + g.kw() + "]", w,
                (long) g.cout() * g.colLength(), 4);
        if (bias != null) {
            Checks.fits("conv2d", () -> "bias [" + g.cout() + "]", bias, g.cout(), 4);
        }
        Checks.fits("conv2d", () -> "out [" + g.cout() + ", " + g.ho() + ", " + g.wo() + "]", out,
                (long) g.cout() * g.patches(), 4);
        Checks.range("conv2d", "output channel", co0, co1, g.cout());
    }

    /** {@code out[co, p] = bias[co] + w[co, :] . col[p, :]} for {@code co} in {@code [co0, co1)}, all patches. */
    public static void conv2dColF32(MemorySegment col, MemorySegment w, MemorySegment bias, MemorySegment out,
                                    Geometry2d g, int co0, int co1) {
        checkCol(col, w, bias, out, g, co0, co1);
        if (Simd.SCALAR) conv2dColF32Scalar(col, w, bias, out, g, co0, co1);
        else conv2dColF32Vector(col, w, bias, out, g, co0, co1);
    }

    public static void conv2dColF32Scalar(MemorySegment col, MemorySegment w, MemorySegment bias, MemorySegment out,
                                          Geometry2d g, int co0, int co1) {
        int n = g.colLength(), patches = g.patches();
        for (int co = co0; co < co1; co++) {
            float b = bias == null ? 0f : bias.get(F32, co * 4L);
            for (int p = 0; p < patches; p++) {
                float acc = 0f;
                for (int k = 0; k < n; k++) {
                    acc = Math.fma(w.get(F32, ((long) co * n + k) * 4), col.get(F32, ((long) p * n + k) * 4), acc);
                }
                out.set(F32, ((long) co * patches + p) * 4, acc + b);
            }
        }
    }

    /** Four weight rows (in L1) against every patch row (in L2), so weights stream from memory once per call. */
    public static void conv2dColF32Vector(MemorySegment col, MemorySegment w, MemorySegment bias, MemorySegment out,
                                          Geometry2d g, int co0, int co1) {
        col = Mem.plain(col); w = Mem.plain(w); bias = Mem.plain(bias); out = Mem.plain(out);
        int n = g.colLength(), patches = g.patches();
        int co = co0;
        for (; co + 4 <= co1; co += 4) {
            for (int p = 0; p < patches; p++) {
                dot4(w, co, n, col, (long) p * n, bias, out, patches, p);
            }
        }
        for (; co < co1; co++) {
            for (int p = 0; p < patches; p++) {
                dot1(w, co, n, col, (long) p * n, bias, out, patches, p);
            }
        }
    }
}
