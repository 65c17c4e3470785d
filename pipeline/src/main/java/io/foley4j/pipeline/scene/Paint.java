package io.foley4j.pipeline.scene;

/**
 * Drawing shared by the scenes: 8-bit RGB pictures interleaved row-major ({@code rgb[(y * w + x) * 3 + c]}), shapes
 * filled without anti-aliasing (a pixel is inside when its centre is), so a still scene renders identical pictures.
 */
final class Paint {
    private Paint() {}

    /** The constructor checks every scene shares: even size >= 32, seconds in (0, 3600]. */
    static void checkScene(String scene, int width, int height, double seconds) {
        if (width < 32 || height < 32 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException(scene + ": size must be even and >= 32, got " + width + "x" + height);
        }
        if (!(seconds > 0 && seconds <= 3600)) {
            throw new IllegalArgumentException(scene + ": seconds must be in (0, 3600], got " + seconds);
        }
    }

    static void checkBuffer(String scene, int width, int height, byte[] rgb) {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException(scene + ".render: rgb has " + rgb.length + " bytes, need "
                    + width * height * 3);
        }
    }

    /** BouncingScene's room: a wall (vertical gradient, faint checker) above row {@code floor}, textured brown below. */
    static void room(byte[] rgb, int w, int h, int floor) {
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                int i = (row * w + col) * 3;
                if (row < floor) {
                    int c = 150 + (row * 60) / floor + ((col / 40 + row / 40) & 1) * 6;
                    set(rgb, i, c - 20, c - 10, c);
                } else {
                    int c = 70 + (col * 13 + row * 7) % 11;
                    set(rgb, i, c + 40, c + 15, c);
                }
            }
        }
    }

    /** Fills [x0, x1) x [y0, y1) (pixel centres inside), clipped to the picture. */
    static void rect(byte[] rgb, int w, int h, double x0, double y0, double x1, double y1, int[] colour) {
        int c0 = Math.max(0, (int) Math.ceil(x0 - 0.5)), c1 = Math.min(w, (int) Math.ceil(x1 - 0.5));
        int r0 = Math.max(0, (int) Math.ceil(y0 - 0.5)), r1 = Math.min(h, (int) Math.ceil(y1 - 0.5));
        for (int row = r0; row < r1; row++) {
            for (int col = c0; col < c1; col++) set(rgb, (row * w + col) * 3, colour[0], colour[1], colour[2]);
        }
    }

    /** Fills a disc lit from the upper left (BouncingScene's ball shading). */
    static void disc(byte[] rgb, int w, int h, double cx, double cy, double r, int[] colour) {
        int x0 = Math.max(0, (int) (cx - r)), x1 = Math.min(w - 1, (int) (cx + r) + 1);
        int y0 = Math.max(0, (int) (cy - r)), y1 = Math.min(h - 1, (int) (cy + r) + 1);
        for (int row = y0; row <= y1; row++) {
            for (int col = x0; col <= x1; col++) {
                double dx = col + 0.5 - cx, dy = row + 0.5 - cy;
                if (dx * dx + dy * dy <= r * r) {
                    int shade = (int) (50 * (-dx - dy) / (2 * r));
                    set(rgb, (row * w + col) * 3, colour[0] + shade, colour[1] + shade, colour[2] + shade);
                }
            }
        }
    }

    /** A segment from (ax, ay) to (bx, by) with round ends, {@code thick} pixels wide. */
    static void segment(byte[] rgb, int w, int h, double ax, double ay, double bx, double by, double thick,
                        int[] colour) {
        double r = thick / 2, dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        int x0 = Math.max(0, (int) (Math.min(ax, bx) - r)), x1 = Math.min(w - 1, (int) (Math.max(ax, bx) + r) + 1);
        int y0 = Math.max(0, (int) (Math.min(ay, by) - r)), y1 = Math.min(h - 1, (int) (Math.max(ay, by) + r) + 1);
        for (int row = y0; row <= y1; row++) {
            for (int col = x0; col <= x1; col++) {
                double px = col + 0.5 - ax, py = row + 0.5 - ay;
                double u = len2 == 0 ? 0 : Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
                double ex = px - u * dx, ey = py - u * dy;
                if (ex * ex + ey * ey <= r * r) set(rgb, (row * w + col) * 3, colour[0], colour[1], colour[2]);
            }
        }
    }

    static void set(byte[] rgb, int i, int r, int g, int b) {
        rgb[i] = (byte) clamp(r);
        rgb[i + 1] = (byte) clamp(g);
        rgb[i + 2] = (byte) clamp(b);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
