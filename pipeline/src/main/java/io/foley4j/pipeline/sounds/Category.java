package io.foley4j.pipeline.sounds;

import java.util.List;
import java.util.Set;

/**
 * What kind of action a recording sounds like, for the common Foley actions of the design. {@link #of} takes the
 * first category, in declaration order, that has one of its keywords among the words: the order puts the action
 * before the material ("water footstep" is a footstep, "glass door open" a door, "metal footstep" a footstep).
 */
public enum Category {
    FOOTSTEP("footstep", "footsteps", "step", "steps", "walk", "walking", "run", "running", "foot", "feet", "jump", "land"),
    DOOR("door", "doors", "gate", "fencegate", "trapdoor", "hatch", "chest", "lid", "drawer"),
    EXPLOSION("explode", "explosion", "explodes", "explo", "blast", "boom", "tnt", "bomb", "detonate", "grenade"),
    GLASS("glass", "shatter", "window", "bottle", "ice", "crystal"),
    WATER("water", "splash", "river", "rain", "drip", "drop", "bubble", "bubbles", "pour", "wave", "waves", "swim"),
    FIRE("fire", "flame", "flames", "burn", "burning", "lava", "ignite", "fuse", "crackle", "furnace", "torch"),
    METAL("metal", "steel", "iron", "anvil", "clank", "chain", "sword", "tool", "bell", "cart", "rail"),
    WOOD("wood", "wooden", "choppy", "chop", "tree", "plank", "branch", "stick", "log", "axe"),
    IMPACT("knock", "hit", "impact", "thud", "bump", "punch", "slam", "crash", "smash", "break", "breaks", "cracky",
            "place", "fall", "damage", "hurt", "body", "stone", "rock", "brick"),
    GROUND("dig", "dug", "gravel", "sand", "dirt", "grass", "snow", "crumbly", "shovel", "mud", "soil", "leaves"),
    OTHER();

    private final Set<String> keywords;

    Category(String... keywords) {
        this.keywords = Set.of(keywords);
    }

    public Set<String> keywords() { return keywords; }

    /** The first category with a keyword among {@code words} (lower case), else {@link #OTHER}. */
    public static Category of(List<String> words) {
        for (Category c : values()) {
            for (String w : words) if (c.keywords.contains(w)) return c;
        }
        return OTHER;
    }
}
