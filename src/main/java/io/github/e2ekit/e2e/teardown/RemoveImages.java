package io.github.e2ekit.e2e.teardown;

/** Which local images this run built are removed at teardown. */
public enum RemoveImages {
    /** All but the newest per image name and service, so the next unchanged run skips its build. */
    ALL_BUT_NEWEST,
    ALL,
    NONE
}
