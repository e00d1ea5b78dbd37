package dev.berth.image;

import dev.berth.api.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The TLS side of a registry connection, read as podman reads a {@code certs.d} directory (or
 * {@code --cert-dir}): every {@code *.crt} is a CA trusted beside the system's, every
 * {@code *.cert} with the {@code *.key} of the same name a client certificate. Unverified
 * contexts ({@code --tls-verify=false}, insecure registries) still present the client certificates.
 */
final class RegistryTls {
    private RegistryTls() {}

    /**
     * The context for a registry, or null when the JDK's default does: verified, with no CA and no
     * client certificate in the directories.
     */
    static SSLContext context(String registry, boolean verify, List<Path> dirs) {
        try {
            List<X509Certificate> cas = new ArrayList<>();
            KeyStore clients = KeyStore.getInstance(KeyStore.getDefaultType());
            clients.load(null, null);
            for (Path dir : dirs) {
                read(dir, cas, clients);
            }
            if (verify && cas.isEmpty() && clients.size() == 0) {
                return null;
            }
            KeyManager[] keys = null;
            if (clients.size() > 0) {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(clients, new char[0]);
                keys = kmf.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, verify ? trusting(cas) : new TrustManager[] {TRUST_ANY}, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new BerthException(BerthException.Kind.INVALID_INPUT, "cannot read the certificates for " + registry + " in " + dirs + ": " + e.getMessage(), e);
        }
    }

    private static void read(Path dir, List<X509Certificate> cas, KeyStore clients) throws IOException, GeneralSecurityException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".crt")) {
                try (InputStream in = Files.newInputStream(f)) {
                    x509.generateCertificates(in).forEach(c -> cas.add((X509Certificate) c));
                }
            } else if (name.endsWith(".cert")) {
                Path key = f.resolveSibling(name.substring(0, name.length() - ".cert".length()) + ".key");
                if (!Files.isRegularFile(key)) {
                    throw new BerthException(BerthException.Kind.INVALID_INPUT, "client certificate " + f + " has no key " + key.getFileName() + " beside it");
                }
                List<Certificate> chain;
                try (InputStream in = Files.newInputStream(f)) {
                    chain = new ArrayList<>(x509.generateCertificates(in));
                }
                clients.setKeyEntry(name, privateKey(key), new char[0], chain.toArray(Certificate[]::new));
            }
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".key") && !Files.exists(f.resolveSibling(name.substring(0, name.length() - ".key".length()) + ".cert"))) {
                throw new BerthException(BerthException.Kind.INVALID_INPUT, "key " + f + " has no client certificate "
                        + name.replace(".key", ".cert") + " beside it");
            }
        }
    }

    /** A PEM private key: PKCS#8, PKCS#1 RSA or SEC1 EC. */
    private static PrivateKey privateKey(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(in)) {
            Object o = pem.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IOException(file + " holds no unencrypted PEM private key");
        }
    }

    private static TrustManager[] trusting(List<X509Certificate> cas) throws GeneralSecurityException, IOException {
        TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        system.init((KeyStore) null);
        if (cas.isEmpty()) {
            return system.getTrustManagers();
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        int i = 0;
        for (TrustManager tm : system.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    trusted.setCertificateEntry("system-" + i++, c);
                }
            }
        }
        for (X509Certificate c : cas) {
            trusted.setCertificateEntry("registry-" + i++, c);
        }
        TrustManagerFactory both = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        both.init(trusted);
        return both.getTrustManagers();
    }

    /** {@code --tls-verify=false}: any certificate, as containers/image's InsecureSkipVerify. */
    private static final X509TrustManager TRUST_ANY = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // not a server
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // not verified, on purpose: the user said --tls-verify=false
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    /** What a failed TLS connection means for the user: null when it is not about TLS. */
    static String explain(String registry, IOException e) {
        String all = "";
        for (Throwable t = e; t != null; t = t.getCause()) {
            all += " " + t.getClass().getName() + ": " + t.getMessage();
        }
        if (all.contains("PKIX") || all.contains("CertPath") || all.contains("CertificateException") || all.contains("No subject alternative")) {
            return "the registry's certificate is not trusted (" + e.getMessage() + "); trust its CA with --cert-dir DIR (DIR/ca.crt), or as "
                    + "/etc/containers/certs.d/" + registry + "/ca.crt, or skip the check with --tls-verify=false";
        }
        if (all.contains("Unsupported or unrecognized SSL message") || all.contains("plaintext connection")) {
            return registry + " answers without TLS: pull with --tls-verify=false, or mark it insecure in registries.conf";
        }
        return null;
    }
}
