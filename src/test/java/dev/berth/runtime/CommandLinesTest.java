package dev.berth.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.proc.Command;
import dev.berth.proc.ProcessRunner;
import dev.berth.proc.Result;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact argv lists berth gives conmon and the OCI runtime. */
class CommandLinesTest {
    /** Records each command and answers with a fixed result. */
    static final class Recorder implements ProcessRunner {
        final List<List<String>> argvs = new ArrayList<>();
        Result answer = new Result(0, "{\"status\":\"running\",\"pid\":42}".getBytes(), "");

        @Override
        public Result run(Command command) {
            argvs.add(command.argv());
            return answer;
        }

        @Override
        public int stream(Command command, OutputStream out, OutputStream err) {
            argvs.add(command.argv());
            return 3;
        }
    }

    @Test
    void conmonGetsPodmansFlagsAndTheRuntimeRoot() {
        OciRuntime runc = new OciRuntime(Path.of("/usr/sbin/runc"), Path.of("/run/berth/runtime"), new Recorder());
        Conmon conmon = new Conmon(Path.of("/usr/bin/conmon"), new Recorder());
        Conmon.MonitorFiles files = new Conmon.MonitorFiles(Path.of("/run/berth/containers/abc"), Path.of("/run/berth/exits"),
                Path.of("/run/berth/containers/abc/ctr.log"), Path.of("/run/berth/exited.sh"), Path.of("/run/berth/supervise.sh"), 0);
        assertThat(conmon.argv("abc", "web", runc, files)).containsExactly(
                "/usr/bin/conmon", "--api-version", "1", "-c", "abc", "-u", "abc", "-r", "/usr/sbin/runc",
                "-b", "/run/berth/containers/abc", "-p", "/run/berth/containers/abc/pidfile", "-n", "web",
                "--exit-dir", "/run/berth/exits", "--full-attach", "-l", "k8s-file:/run/berth/containers/abc/ctr.log",
                "--log-level", "warning", "--runtime-arg", "--log-format=json", "--runtime-arg", "--log",
                "--runtime-arg=/run/berth/containers/abc/oci-log", "--runtime-arg", "--root=/run/berth/runtime",
                "--conmon-pidfile", "/run/berth/containers/abc/conmon.pid", "--exit-command", "/bin/sh", "--exit-command-arg", "/run/berth/exited.sh",
                "--exit-command-arg", "/run/berth/containers/abc", "--exit-command-arg", "/run/berth/exits/abc",
                "--exit-command-arg", "/run/berth/supervise.sh");
    }

    @Test
    void runtimeCommandsAllPassTheStateRoot() {
        Recorder r = new Recorder();
        OciRuntime runc = new OciRuntime(Path.of("/usr/sbin/runc"), Path.of("/run/berth/runtime"), r);
        assertThat(runc.state("abc")).isEqualTo(new OciRuntime.State(OciRuntime.Status.RUNNING, 42));
        runc.start("abc");
        runc.kill("abc", "TERM");
        runc.delete("abc");
        assertThat(runc.exec("abc", Path.of("/b/p.json"), false, OutputStream.nullOutputStream(), OutputStream.nullOutputStream(), java.time.Duration.ofSeconds(1))).isEqualTo(3);
        assertThat(r.argvs).containsExactly(
                List.of("/usr/sbin/runc", "--root", "/run/berth/runtime", "state", "abc"),
                List.of("/usr/sbin/runc", "--root", "/run/berth/runtime", "start", "abc"),
                List.of("/usr/sbin/runc", "--root", "/run/berth/runtime", "kill", "abc", "TERM"),
                List.of("/usr/sbin/runc", "--root", "/run/berth/runtime", "delete", "--force", "abc"),
                List.of("/usr/sbin/runc", "--root", "/run/berth/runtime", "exec", "--process", "/b/p.json", "abc"));
    }

    @Test
    void aContainerTheRuntimeDoesNotKnowHasNoState() {
        Recorder r = new Recorder();
        r.answer = new Result(1, new byte[0], "container does not exist");
        OciRuntime runc = new OciRuntime(Path.of("/usr/sbin/runc"), Path.of("/r"), r);
        assertThat(runc.state("abc")).isNull();
        runc.delete("abc");
        runc.kill("abc", "KILL");
    }
}
