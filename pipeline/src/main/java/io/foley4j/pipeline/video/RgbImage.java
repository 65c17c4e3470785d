package io.foley4j.pipeline.video;

/** An 8-bit RGB picture, interleaved row-major: {@code data[(y * width + x) * 3 + c]} (unsigned bytes), like rgb24. */
public record RgbImage(int width, int height, byte[] data) {
    public RgbImage {
        if (width <= 0 || height <= 0 || data.length != width * height * 3) {
            throw new IllegalArgumentException("RgbImage: " + width + "x" + height + " needs " + width * height * 3
                    + " bytes, got " + data.length);
        }
    }

    public static RgbImage allocate(int width, int height) {
        return new RgbImage(width, height, new byte[width * height * 3]);
    }

    /** Channel {@code c} of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return data[(y * width + x) * 3 + c] & 0xff;
    }
}
