package io.foley4j.pipeline.scene;

/** A synthetic video: RGB pictures as a function of time. */
public interface Scene {
    int width();

    int height();

    double seconds();

    /** Draws time t as 8-bit RGB, interleaved row-major: {@code rgb[(y * width + x) * 3 + c]}. */
    void render(double t, byte[] rgb);

    /**
     * {@code s} replayed from its start every {@code period} seconds for {@code seconds} in all: a looping clip whose
     * repeats are identical pictures (with a period that is a multiple of the encoder's GOP, identical decoded frames).
     */
    static Scene looped(Scene s, double period, double seconds) {
        if (!(period > 0) || !(seconds > 0)) {
            throw new IllegalArgumentException("Scene.looped: period and seconds must be > 0, got " + period + ", " + seconds);
        }
        return new Scene() {
            public int width() { return s.width(); }
            public int height() { return s.height(); }
            public double seconds() { return seconds; }
            public void render(double t, byte[] rgb) {
                double r = t % period;
                // snap to the frame grid of the period so repeats render the same instants
                s.render(Math.abs(r - period) < 1e-9 ? 0 : r, rgb);
            }
        };
    }
}
