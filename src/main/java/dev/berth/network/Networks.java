package dev.berth.network;

import dev.berth.api.BerthException;
import dev.berth.proc.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The named networks under berth's root: {@code networks/<name>.conflist}. */
public final class Networks {
    private final Path dir;
    private final Path ipam;
    private final ProcessRunner processes;

    public Networks(Path dir, Path ipam, ProcessRunner processes) {
        this.dir = dir;
        this.ipam = ipam;
        this.processes = processes;
    }

    /** Every network, the default one created on first use. */
    public List<CniNetwork> list() {
        CniNetwork.load(dir, ipam, CniNetwork.DEFAULT, processes);
        List<CniNetwork> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".conflist")).sorted().toList()) {
                String name = f.getFileName().toString().replace(".conflist", "");
                all.add(CniNetwork.load(dir, ipam, name, processes));
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot list networks: " + e.getMessage(), e);
        }
        return all;
    }

    /**
     * Creates a bridge network. Without a subnet, the first 10.92.N.0/24 that overlaps neither
     * another network of this root nor an address of the host is taken; a subnet given must
     * overlap none of this root's networks. The bridge is {@code bn-<name>}, cut to the 15
     * characters Linux allows.
     */
    public CniNetwork create(String name, String subnet, String bridge) {
        if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || name.length() > 63) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "\"" + name + "\" is not a valid network name (a DNS-1123 label)");
        }
        if (Files.exists(dir.resolve(name + ".conflist"))) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "network \"" + name + "\" already exists");
        }
        List<CniNetwork> existing = list();
        Cidr chosen = null;
        if (subnet == null) {
            for (int n = 0; n < 256 && chosen == null; n++) {
                Cidr candidate = Cidr.parse("10.92." + n + ".0/24");
                if (overlapping(existing, candidate) == null && HostAddresses.overlapping(candidate, null) == null) {
                    chosen = candidate;
                }
            }
            if (chosen == null) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "no free subnet in 10.92.0.0/16: give one with --subnet A.B.C.D/N");
            }
        } else {
            chosen = Cidr.parse(subnet);
            if (chosen.prefix() > 30) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "subnet " + chosen + " is too small for pods (at most /30)");
            }
            CniNetwork clash = overlapping(existing, chosen);
            if (clash != null) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "subnet " + chosen + " overlaps network " + clash.name()
                        + " (" + clash.subnet() + ")");
            }
        }
        String br = bridge != null ? bridge : ("bn-" + name).substring(0, Math.min(15, 3 + name.length()));
        try {
            CniNetwork.write(dir, ipam, new CniNetwork.Definition(name, br, chosen.toString(), chosen.host(1), null));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot create network " + name + ": " + e.getMessage(), e);
        }
        return CniNetwork.load(dir, ipam, name, processes);
    }

    private static CniNetwork overlapping(List<CniNetwork> networks, Cidr subnet) {
        return networks.stream().filter(x -> Cidr.parse(x.subnet()).overlaps(subnet)).findFirst().orElse(null);
    }

    /** A network's plugin list, as JSON text. */
    public String inspect(String name) {
        return CniNetwork.load(dir, ipam, name, processes).configJson();
    }

    /** Removes a network's configuration; the caller checks no pod uses it. */
    public void remove(String name) {
        if (name.equals(CniNetwork.DEFAULT)) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "the default network cannot be removed");
        }
        CniNetwork.load(dir, ipam, name, processes);
        try {
            Files.deleteIfExists(dir.resolve(name + ".conflist"));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.HOST, "cannot remove network " + name + ": " + e.getMessage(), e);
        }
    }
}
