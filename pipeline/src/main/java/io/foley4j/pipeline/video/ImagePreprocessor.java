package io.foley4j.pipeline.video;

/**
 * The CLIP-style image preprocessing, bit-exact with torchvision on a PIL image: {@code Resize(shortSide,
 * BICUBIC)} (PIL's antialiased bicubic, a = -0.5, support scaled by the downscale factor, 22-bit fixed-point
 * weights, horizontal pass then vertical with 8-bit rounding in between), {@code CenterCrop(cropH, cropW)},
 * {@code ToTensor()} (/255), {@code Normalize(mean, std)}, into a float {@code [3, cropH, cropW]} buffer.
 *
 * <p>Only the pixels that survive the crop are resampled; each is the value PIL would compute for the whole image.
 * Thread-safe (no state besides the configuration).
 */
public record ImagePreprocessor(int shortSide, int cropWidth, int cropHeight, float[] mean, float[] std) {
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};
    public static final ImagePreprocessor CLIP_224 = new ImagePreprocessor(224, 224, 224, CLIP_MEAN, CLIP_STD);

    private static final int PRECISION_BITS = 32 - 8 - 2;   // PIL Resample.c, 8 bits per channel

    public ImagePreprocessor {
        if (shortSide <= 0 || cropWidth <= 0 || cropHeight <= 0 || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("ImagePreprocessor: shortSide " + shortSide + ", crop " + cropWidth
                    + "x" + cropHeight + ", mean/std of length " + mean.length + "/" + std.length + " (need 3)");
        }
    }

    /** Floats per output image: 3 * cropHeight * cropWidth. */
    public int outputSize() {
        return 3 * cropHeight * cropWidth;
    }

    /** Resized size {width, height}: shortest side to {@code shortSide}, the other truncated like torchvision. */
    public int[] resizedSize(int width, int height) {
        if (width <= height) {
            return new int[] {shortSide, (int) ((long) shortSide * height / width)};
        }
        return new int[] {(int) ((long) shortSide * width / height), shortSide};
    }

    /** {@code out[off + c*H*W + y*W + x]} = (pixel/255 - mean[c]) / std[c] of the resized, cropped image. */
    public void apply(RgbImage img, float[] out, int off) {
        if (out.length - off < outputSize()) {
            throw new IllegalArgumentException("ImagePreprocessor.apply: output needs " + outputSize()
                    + " floats from offset " + off + ", has " + (out.length - off));
        }
        normalize(resizeCrop(img), out, off);
    }

    /** The second half of {@link #apply}: {@code crop} is {@link #resizeCrop}'s output. */
    public void normalize(RgbImage crop, float[] out, int off) {
        if (crop.width() != cropWidth || crop.height() != cropHeight || out.length - off < outputSize()) {
            throw new IllegalArgumentException("ImagePreprocessor.normalize: a " + crop.width() + "x"
                    + crop.height() + " crop into " + (out.length - off) + " floats from offset " + off + "; needs "
                    + cropWidth + "x" + cropHeight + " and " + outputSize() + " floats");
        }
        int plane = cropHeight * cropWidth;
        byte[] d = crop.data();
        for (int c = 0; c < 3; c++) {
            float m = mean[c], s = std[c];
            for (int i = 0; i < plane; i++) {
                out[off + c * plane + i] = ((d[i * 3 + c] & 0xff) / 255f - m) / s;
            }
        }
    }

    /** The resized and center-cropped 8-bit image (what PIL holds before ToTensor). */
    public RgbImage resizeCrop(RgbImage img) {
        int[] rs = resizedSize(img.width(), img.height());
        int rw = rs[0], rh = rs[1];
        if (cropWidth > rw || cropHeight > rh) {
            throw new IllegalArgumentException("ImagePreprocessor: crop " + cropWidth + "x" + cropHeight
                    + " larger than the resized " + rw + "x" + rh + " image (from " + img.width() + "x"
                    + img.height() + ")");
        }
        // torchvision CenterCrop: int(round((size - crop) / 2.0)), Python rounds half to even
        int left = (int) Math.rint((rw - cropWidth) / 2.0);
        int top = (int) Math.rint((rh - cropHeight) / 2.0);
        Coeffs cx = Coeffs.bicubic(img.width(), rw);
        Coeffs cy = Coeffs.bicubic(img.height(), rh);
        // rows of the source that the kept output rows read
        int y0 = cy.min[top], y1 = 0;
        for (int y = top; y < top + cropHeight; y++) {
            y1 = Math.max(y1, cy.min[y] + cy.count[y]);
        }
        // horizontal pass: [y1 - y0, cropWidth, 3], skipped (identity) when the width does not change, as in PIL
        RgbImage tmp = RgbImage.allocate(cropWidth, y1 - y0);
        byte[] src = img.data(), t = tmp.data();
        boolean horizontal = rw != img.width();
        for (int y = y0; y < y1; y++) {
            int srcRow = y * img.width() * 3, o = (y - y0) * cropWidth * 3;
            for (int x = left; x < left + cropWidth; x++, o += 3) {
                if (!horizontal) {
                    System.arraycopy(src, srcRow + x * 3, t, o, 3);
                    continue;
                }
                int xmin = cx.min[x], n = cx.count[x], k = x * cx.ksize;
                int r = 1 << (PRECISION_BITS - 1), g = r, b = r;
                for (int i = 0; i < n; i++) {
                    int p = srcRow + (xmin + i) * 3, w = cx.k[k + i];
                    r += (src[p] & 0xff) * w;
                    g += (src[p + 1] & 0xff) * w;
                    b += (src[p + 2] & 0xff) * w;
                }
                t[o] = clip8(r);
                t[o + 1] = clip8(g);
                t[o + 2] = clip8(b);
            }
        }
        RgbImage out = RgbImage.allocate(cropWidth, cropHeight);
        byte[] d = out.data();
        boolean vertical = rh != img.height();
        int rowBytes = cropWidth * 3;
        for (int y = top; y < top + cropHeight; y++) {
            int o = (y - top) * rowBytes;
            if (!vertical) {
                System.arraycopy(t, (y - y0) * rowBytes, d, o, rowBytes);
                continue;
            }
            int ymin = cy.min[y], n = cy.count[y], k = y * cy.ksize;
            for (int i = 0; i < rowBytes; i++) {
                int acc = 1 << (PRECISION_BITS - 1);
                for (int j = 0; j < n; j++) {
                    acc += (t[(ymin + j - y0) * rowBytes + i] & 0xff) * cy.k[k + j];
                }
                d[o + i] = clip8(acc);
            }
        }
        return out;
    }

    private static byte clip8(int acc) {
        if (acc >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        return acc <= 0 ? 0 : (byte) (acc >> PRECISION_BITS);
    }

    /** PIL precompute_coeffs + normalize_coeffs_8bpc for one axis: taps [out, ksize] starting at min[out]. */
    record Coeffs(int ksize, int[] min, int[] count, int[] k) {
        static Coeffs bicubic(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 2.0 * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] min = new int[outSize], count = new int[outSize], k = new int[outSize * ksize];
            double ss = 1.0 / filterScale;
            double[] w = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double sum = 0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = cubic((x + xmin - center + 0.5) * ss);
                    sum += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double v = sum != 0 ? w[x] / sum : w[x];
                    k[xx * ksize + x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
                }
                min[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coeffs(ksize, min, count, k);
        }

        // Keys cubic with a = -0.5 (PIL bicubic_filter)
        private static double cubic(double x) {
            double a = -0.5;
            x = Math.abs(x);
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
        }
    }
}
