package dev.berth.api;

/**
 * A container lifecycle hook ({@code lifecycle.postStart} or {@code lifecycle.preStop}): an exec
 * or httpGet handler, or a sleep.
 *
 * @param action       exec or httpGet; null for a sleep
 * @param sleepSeconds for {@code sleep: {seconds: N}}; 0 otherwise
 */
public record Hook(ProbeAction action, int sleepSeconds) {
    public String describe() {
        return action != null ? action.describe() : "sleep " + sleepSeconds + "s";
    }
}
