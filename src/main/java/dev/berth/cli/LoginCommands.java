package dev.berth.cli;

import dev.berth.api.BerthException;
import dev.berth.image.AuthFile;
import dev.berth.image.RegistryClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code berth login} and {@code berth logout}: registry credentials in the auth file podman and skopeo read. */
final class LoginCommands {
    private LoginCommands() {}

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = {"Check credentials against a registry and keep them in the auth file (mode 0600) for later pulls.",
                    "The password is never printed; give it with --password-stdin rather than -p, which other users can see in ps."},
            footer = {"", "Examples:", "  berth login -u ci --password-stdin registry.example.com < password.txt",
                    "  berth login --cert-dir ./certs -u alice -p secret 127.0.0.1:5443"})
    static final class Login implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "REGISTRY", description = "host[:port] of the registry (docker.io for Docker Hub).")
        String registry;

        @Option(names = {"-u", "--username"}, required = true, paramLabel = "USER")
        String user;

        @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD", description = "The password (prefer --password-stdin).")
        String password;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean passwordStdin;

        @Mixin
        PullOptions pull;

        @Override
        public Integer call() {
            if ((password == null) == !passwordStdin) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "give the password with --password-stdin or -p (one of them)");
            }
            String secret = password;
            if (passwordStdin) {
                try {
                    secret = new BufferedReader(new InputStreamReader(ContainerCommands.root(spec).stdin, StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    throw new BerthException(BerthException.Kind.HOST, "cannot read the password from standard input: " + e.getMessage(), e);
                }
                if (secret == null) {
                    throw new BerthException(BerthException.Kind.INVALID_INPUT, "--password-stdin: standard input was empty");
                }
            }
            RegistryClient.Credentials credentials = new RegistryClient.Credentials(user, secret);
            pull.registries().client(registry, credentials).ping();
            AuthFile.store(AuthFile.writable(pull.authfile), registry, credentials);
            spec.commandLine().getOut().println("Login Succeeded!");
            return Main.OK;
        }
    }

    @Command(name = "logout", mixinStandardHelpOptions = true, description = "Remove a registry's credentials from the auth file.",
            footer = {"", "Examples:", "  berth logout registry.example.com", "  berth logout --all"})
    static final class Logout implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "REGISTRY", description = "The registry's host[:port] (with --all: none).")
        String registry;

        @Option(names = {"-a", "--all"}, description = "Remove the credentials of every registry.")
        boolean all;

        @Option(names = "--authfile", paramLabel = "FILE", description = "The auth file (default: as login's).")
        java.nio.file.Path authfile;

        @Override
        public Integer call() {
            if ((registry == null) == !all) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "give a REGISTRY or --all");
            }
            java.nio.file.Path file = AuthFile.writable(authfile);
            boolean removed = all ? AuthFile.clear(file) : AuthFile.store(file, registry, null);
            if (!removed) {
                throw new BerthException(BerthException.Kind.NOT_FOUND, "not logged in to " + (all ? "any registry" : registry) + " (" + file + ")");
            }
            spec.commandLine().getOut().println(all ? "Removed login credentials for all registries" : "Removed login credentials for " + registry);
            return Main.OK;
        }
    }

}
