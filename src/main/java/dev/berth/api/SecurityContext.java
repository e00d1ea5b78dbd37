package dev.berth.api;

import java.util.List;
import java.util.Map;

/**
 * A securityContext, of a pod (its fields that apply to every container, plus fsGroup,
 * supplementalGroups and sysctls) or of a container; null fields are not set.
 */
public record SecurityContext(
        Long runAsUser,
        Long runAsGroup,
        Boolean runAsNonRoot,
        Boolean readOnlyRootFilesystem,
        Boolean privileged,
        Boolean allowPrivilegeEscalation,
        List<String> capabilitiesAdd,
        List<String> capabilitiesDrop,
        String procMount,
        Long fsGroup,
        List<Long> supplementalGroups,
        Map<String, String> sysctls,
        SeccompProfile seccompProfile) {

    /** {@code seccompProfile}: type RuntimeDefault, Unconfined or Localhost (with the profile's path under berth's profiles directory). */
    public record SeccompProfile(String type, String localhostProfile) {
        public SeccompProfile {
            if (!List.of("RuntimeDefault", "Unconfined", "Localhost").contains(type)) {
                throw new IllegalArgumentException("seccompProfile type " + type);
            }
        }
    }

    public static final SecurityContext NONE = new SecurityContext(null, null, null, null, null, null, List.of(), List.of(), null, null,
            List.of(), Map.of(), null);

    public SecurityContext {
        capabilitiesAdd = List.copyOf(capabilitiesAdd);
        capabilitiesDrop = List.copyOf(capabilitiesDrop);
        supplementalGroups = List.copyOf(supplementalGroups);
        sysctls = Map.copyOf(sysctls);
    }

    /** This container's context over its pod's: a field set on the container wins. */
    public SecurityContext over(SecurityContext pod) {
        return new SecurityContext(
                runAsUser != null ? runAsUser : pod.runAsUser,
                runAsGroup != null ? runAsGroup : pod.runAsGroup,
                runAsNonRoot != null ? runAsNonRoot : pod.runAsNonRoot,
                readOnlyRootFilesystem, privileged, allowPrivilegeEscalation, capabilitiesAdd, capabilitiesDrop, procMount,
                pod.fsGroup, pod.supplementalGroups, pod.sysctls, seccompProfile != null ? seccompProfile : pod.seccompProfile);
    }
}
