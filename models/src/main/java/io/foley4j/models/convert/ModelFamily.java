package io.foley4j.models.convert;

import java.util.Locale;

/** The model families {@link ModelConverter} converts, by their command-line names. */
public enum ModelFamily {
    /** BERT text encoder (ONNX export or Hugging Face {@code model_type} "bert"). */
    BERT("bert"),
    /** A vision transformer, CLIP or SigLIP, told apart by {@code config.json}'s {@code model_type}. */
    VIT("vit"),
    /** CLIP vision tower ({@code clip}, {@code clip_vision_model}). */
    CLIP_VISION("clip-vision"),
    /** SigLIP vision tower ({@code siglip}, {@code siglip_vision_model}). */
    SIGLIP("siglip");

    public final String cliName;

    ModelFamily(String cliName) {
        this.cliName = cliName;
    }

    public static ModelFamily parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ModelFamily f : values()) {
            if (f.cliName.equals(n)) return f;
        }
        throw new IllegalArgumentException("ModelFamily: unknown family '" + name + "'; expected bert, vit, "
                + "clip-vision or siglip");
    }

    /** The family of a Hugging Face {@code model_type}, or null when none of ours. */
    static ModelFamily ofModelType(String modelType) {
        if (modelType.equals("bert")) return BERT;
        if (modelType.startsWith("clip")) return CLIP_VISION;
        if (modelType.startsWith("siglip")) return SIGLIP;
        return null;
    }

    boolean vision() {
        return this != BERT;
    }
}
