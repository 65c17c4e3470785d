package io.foley4j.pipeline.scene;

import java.util.List;

/** A {@link Scene} that knows its sounds: every event computed from the motion it draws, not from the pictures. */
public interface EventScene extends Scene {
    /** The kinds {@link #of} makes, in the order the recipe numbers them. */
    List<String> KINDS = List.of("bouncing", "sliding", "stepping", "door");

    /** One of {@link #KINDS}. */
    String kind();

    /** Every event that starts before the end, in time order (intervals cut at the end). */
    List<SoundEvent> events();

    /** A scene of {@code kind}, deterministic from {@code seed}. */
    static EventScene of(String kind, int width, int height, double seconds, long seed) {
        return switch (kind) {
            case "bouncing" -> new BouncingScene(width, height, seconds, seed);
            case "sliding" -> new SlidingScene(width, height, seconds, seed);
            case "stepping" -> new SteppingScene(width, height, seconds, seed);
            case "door" -> new DoorScene(width, height, seconds, seed);
            default -> throw new IllegalArgumentException("EventScene.of: kind must be one of " + KINDS + ", got '"
                    + kind + "'");
        };
    }
}
