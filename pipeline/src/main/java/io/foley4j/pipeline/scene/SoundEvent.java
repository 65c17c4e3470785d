package io.foley4j.pipeline.scene;

/**
 * One sound a scene makes, known exactly from its motion: an impact ({@code duration == 0}: a bounce, a footfall, a
 * door slamming shut) or a sustained sound over {@code [time, time + duration]} (a box sliding, a door swinging).
 * {@code strength} (0..1] is the scene's measure of loudness: impact speed for impacts, speed for intervals.
 */
public record SoundEvent(double time, double duration, double strength) {
    public SoundEvent {
        if (!(time >= 0) || !(duration >= 0) || !(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("SoundEvent: need time >= 0, duration >= 0, strength in (0, 1], got "
                    + time + ", " + duration + ", " + strength);
        }
    }

    public static SoundEvent impact(double time, double strength) {
        return new SoundEvent(time, 0, strength);
    }

    public boolean isImpact() {
        return duration == 0;
    }

    public double end() {
        return time + duration;
    }
}
