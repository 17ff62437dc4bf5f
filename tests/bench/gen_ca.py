#!/usr/bin/env python3
"""Deterministic generator of a customer-area PostgreSQL database (revpack benchmark).

Usage: gen_ca.py --size-mb N --out DIR [--seed S]

The "espace adhérent" of an invented French mutual insurer: members and their
dependants, contracts, monthly invoices (numeric, numeric[], daterange, jsonb
lines), reimbursement claims (jsonb details, text[] codes), documents (bytea:
scanned PDFs and images, XML certificates, a few of 2-6 MB, the largest
always 6 MB) and a
journal of events (timestamptz, uuid, inet, interval, jsonb, text[]).

Writes DIR/schema.sql (types and tables, no keys), DIR/<schema>.<table>.copy
(COPY text format: TAB, LF, backslash escapes, \\N for NULL) and
DIR/constraints.sql (primary keys, unique keys, foreign keys and indexes, to
run after the load). Prints "schema", then each table name when its file is
complete, then "constraints". Standard library only; the same seed and size
give the same bytes on every run.
"""

import argparse
import hashlib
import json
import os
import random
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from frtext import CITIES, FIRST_NAMES, LAST_NAMES, STREETS, Text, esc, slugify  # noqa: E402

# COPY characters written per MB of heap + TOAST once loaded (pg_table_size),
# calibrated on PostgreSQL 15 so that bench_ca_1000 holds about 1000 MB; only
# used to decide when to stop.
COPY_BYTES_PER_DATA_MB = 1_280_000

SCHEMA = """
CREATE SCHEMA adherents;
COMMENT ON SCHEMA adherents IS 'Adhérents, ayants droit et contrats';
CREATE SCHEMA facturation;
COMMENT ON SCHEMA facturation IS 'Cotisations et factures';
CREATE SCHEMA prestations;
COMMENT ON SCHEMA prestations IS 'Demandes de remboursement';
CREATE SCHEMA ged;
COMMENT ON SCHEMA ged IS 'Gestion électronique des documents';
CREATE SCHEMA journal;
COMMENT ON SCHEMA journal IS 'Journal des événements de l''espace adhérent';

CREATE TYPE adherents.statut AS ENUM ('prospect', 'actif', 'suspendu', 'radié');

CREATE TABLE adherents.membre (
  id bigint NOT NULL,
  numero text NOT NULL,
  civilite text,
  nom text NOT NULL,
  prenom text NOT NULL,
  date_naissance date,
  courriel text,
  telephone text,
  adresse_ligne1 text NOT NULL,
  adresse_ligne2 text,
  code_postal character(5) NOT NULL,
  commune text NOT NULL,
  statut adherents.statut NOT NULL,
  canaux text[] NOT NULL,
  centres_interet text[],
  optin_newsletter boolean NOT NULL,
  cree_le timestamptz NOT NULL,
  modifie_le timestamptz,
  notes text
);
COMMENT ON TABLE adherents.membre IS 'Adhérents de la mutuelle';

CREATE TABLE adherents.ayant_droit (
  id bigint NOT NULL,
  membre_id bigint NOT NULL,
  lien text NOT NULL,
  nom text NOT NULL,
  prenom text NOT NULL,
  date_naissance date NOT NULL,
  numero_secu character(15)
);

CREATE TABLE adherents.contrat (
  id bigint NOT NULL,
  membre_id bigint NOT NULL,
  numero text NOT NULL,
  produit text NOT NULL,
  formule text NOT NULL,
  date_effet date NOT NULL,
  date_fin date,
  cotisation_mensuelle numeric(10,2) NOT NULL,
  options text[] NOT NULL,
  ayants_droit bigint[],
  conditions jsonb,
  cree_le timestamptz NOT NULL
);

CREATE TABLE facturation.facture (
  id bigint NOT NULL,
  contrat_id bigint NOT NULL,
  numero text NOT NULL,
  emise_le date NOT NULL,
  echeance date NOT NULL,
  periode daterange NOT NULL,
  montant_ht numeric(12,2) NOT NULL,
  taxe numeric(12,2) NOT NULL,
  montant_ttc numeric(12,2) NOT NULL,
  montants_lignes numeric(12,2)[] NOT NULL,
  lignes jsonb NOT NULL,
  payee_le timestamptz,
  moyen_paiement text,
  rejet_motif text
);

CREATE TABLE prestations.demande (
  id bigint NOT NULL,
  membre_id bigint NOT NULL,
  contrat_id bigint NOT NULL,
  beneficiaire text NOT NULL,
  deposee_le timestamptz NOT NULL,
  date_soins date NOT NULL,
  acte text NOT NULL,
  codes_actes text[] NOT NULL,
  montant_depense numeric(10,2) NOT NULL,
  base_secu numeric(10,2),
  rembourse_secu numeric(10,2),
  rembourse_mutuelle numeric(10,2),
  taux_secu numeric(5,2),
  statut text NOT NULL,
  details jsonb NOT NULL,
  traitee_le timestamptz,
  commentaire text
);

CREATE TABLE ged.document (
  id bigint NOT NULL,
  membre_id bigint NOT NULL,
  demande_id bigint,
  nom_fichier text NOT NULL,
  type_mime text NOT NULL,
  taille integer NOT NULL,
  sha256 character(64) NOT NULL,
  contenu bytea NOT NULL,
  depose_le timestamptz NOT NULL
);

CREATE TABLE journal.evenement (
  id bigint NOT NULL,
  membre_id bigint,
  survenu_le timestamptz NOT NULL,
  type text NOT NULL,
  session_id uuid,
  adresse_ip inet,
  agent text,
  duree interval,
  donnees jsonb,
  tags text[]
);
"""

CONSTRAINTS = """
ALTER TABLE adherents.membre ADD PRIMARY KEY (id), ADD CONSTRAINT membre_numero_key UNIQUE (numero);
ALTER TABLE adherents.ayant_droit ADD PRIMARY KEY (id);
ALTER TABLE adherents.contrat ADD PRIMARY KEY (id), ADD CONSTRAINT contrat_numero_key UNIQUE (numero);
ALTER TABLE facturation.facture ADD PRIMARY KEY (id), ADD CONSTRAINT facture_numero_key UNIQUE (numero);
ALTER TABLE prestations.demande ADD PRIMARY KEY (id);
ALTER TABLE ged.document ADD PRIMARY KEY (id);
ALTER TABLE journal.evenement ADD PRIMARY KEY (id);
ALTER TABLE adherents.ayant_droit ADD FOREIGN KEY (membre_id) REFERENCES adherents.membre (id);
ALTER TABLE adherents.contrat ADD FOREIGN KEY (membre_id) REFERENCES adherents.membre (id);
ALTER TABLE facturation.facture ADD FOREIGN KEY (contrat_id) REFERENCES adherents.contrat (id);
ALTER TABLE prestations.demande ADD FOREIGN KEY (membre_id) REFERENCES adherents.membre (id),
  ADD FOREIGN KEY (contrat_id) REFERENCES adherents.contrat (id);
ALTER TABLE ged.document ADD FOREIGN KEY (membre_id) REFERENCES adherents.membre (id),
  ADD FOREIGN KEY (demande_id) REFERENCES prestations.demande (id);
ALTER TABLE journal.evenement ADD FOREIGN KEY (membre_id) REFERENCES adherents.membre (id) ON DELETE SET NULL;
CREATE INDEX ON adherents.ayant_droit (membre_id);
CREATE INDEX ON adherents.contrat (membre_id);
CREATE INDEX ON facturation.facture (contrat_id);
CREATE INDEX ON prestations.demande (membre_id);
CREATE INDEX ON prestations.demande (deposee_le);
CREATE INDEX ON ged.document (membre_id);
CREATE INDEX ON journal.evenement (membre_id, survenu_le);
"""

TABLES = ["adherents.membre", "adherents.ayant_droit", "adherents.contrat", "facturation.facture",
          "prestations.demande", "ged.document", "journal.evenement"]


def arr(items):
    """A text[] literal, every element quoted."""
    return "{" + ",".join('"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"' for x in items) + "}"


def js(obj):
    return json.dumps(obj, ensure_ascii=False)


def ts(t):
    """timestamptz literal in UTC with microseconds."""
    sec = int(t)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec)) + ".%06d+00" % int((t - sec) * 1e6)


def day(t):
    return time.strftime("%Y-%m-%d", time.gmtime(t))


def money(cents):
    return "%d.%02d" % divmod(cents, 100)


N = "\\N"


class Out:
    def __init__(self, out, name):
        self.name = name
        self.f = open(os.path.join(out, name + ".copy"), "w", encoding="utf-8", newline="\n")
        self.buf = []
        self.bytes = 0

    def row(self, fields):
        line = "\t".join(fields)
        self.buf.append(line)
        self.bytes += len(line) + 1
        if len(self.buf) >= 2000:
            self.f.write("\n".join(self.buf) + "\n")
            self.buf = []

    def close(self):
        if self.buf:
            self.f.write("\n".join(self.buf) + "\n")
        self.f.close()
        print(self.name, flush=True)


ACTES = [
    ("consultation généraliste", ["G", "GS"], 2500, 3000), ("consultation spécialiste", ["CS", "APC"], 3000, 12000),
    ("pharmacie", ["PH4", "PH7", "PH1"], 500, 15000), ("optique : verres", ["OPT-V"], 8000, 60000),
    ("optique : monture", ["OPT-M"], 3000, 25000), ("dentaire : couronne", ["HBLD036", "HBLD634"], 50000, 110000),
    ("dentaire : détartrage", ["HBJD001"], 2800, 5000), ("radiologie", ["ZBQK002", "ADI"], 2000, 20000),
    ("analyses de laboratoire", ["B", "PB"], 1000, 9000), ("kinésithérapie", ["AMK"], 1600, 5000),
    ("hospitalisation : forfait journalier", ["FJH"], 2000, 60000), ("ostéopathie", ["HN-OST"], 5000, 8000),
    ("audioprothèse", ["AUD-D", "AUD-G"], 90000, 190000), ("sage-femme", ["SF", "SFI"], 2500, 6000),
]
PRODUITS = [("Santé Particuliers", ["Essentielle", "Équilibre", "Sérénité", "Sérénité+"]),
            ("Santé Seniors", ["Confort", "Confort+"]),
            ("Prévoyance", ["Indemnités journalières", "Capital décès"]),
            ("Santé Étudiants", ["Campus"])]
OPTIONS = ["renfort optique", "renfort dentaire", "médecines douces", "assistance à domicile",
           "chambre particulière", "tiers payant étendu", "téléconsultation 24 h/24"]
AGENTS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
          "MutuelleExemple/4.12.0 (Android 14; Pixel 7)",
          "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"]
EVENTS = ["connexion", "connexion", "connexion", "consultation_decompte", "telechargement_attestation",
          "modification_coordonnees", "depot_document", "message_conseiller", "deconnexion", "echec_connexion"]


class Gen:
    def __init__(self, size_mb, seed, out):
        self.rng = random.Random(seed)
        self.tx = Text(self.rng)
        self.size_mb = size_mb
        self.out = out
        self.target = size_mb * COPY_BYTES_PER_DATA_MB
        self.t0 = 1420070400  # 2015-01-01
        self.t1 = 1730332800  # 2024-10-31

    def run(self):
        rng, tx = self.rng, self.tx
        O = {n: Out(self.out, n) for n in TABLES}
        ids = dict.fromkeys(TABLES, 0)
        n_big = 0
        max_big = max(2, self.size_mb // 100)
        mid = 0
        while True:
            total = sum(o.bytes for o in O.values())
            if total >= self.target:
                break
            mid += 1
            frac = total / self.target
            created = self.t0 + (self.t1 - self.t0) * frac * 0.8 + rng.random() * 86400
            first, last = tx.person()
            birth = self.t0 - rng.randrange(18 * 365, 90 * 365) * 86400
            cp, city = rng.choice(CITIES)
            statut = rng.choices(("actif", "prospect", "suspendu", "radié"), (85, 4, 3, 8))[0]
            canaux = rng.sample(["courriel", "sms", "courrier", "téléphone", "appli 📱"], rng.randint(1, 3))
            interets = (None if rng.random() < 0.4 else
                        rng.sample(["prévention", "sport", "bien-être", "parentalité", "retraite", "aidants",
                                    "nutrition", "sommeil", "santé mentale"], rng.randint(1, 4)))
            login = slugify(first + "." + last)
            O["adherents.membre"].row((
                str(mid), "ADH-%07d" % (2015000 + mid),
                rng.choice(("M.", "Mme", "Mme", "M.")) if rng.random() < 0.95 else N,
                esc(last.upper() if rng.random() < 0.3 else last), esc(first),
                day(birth) if rng.random() < 0.98 else N,
                esc(f"{login}{mid}@courriel.example") if rng.random() < 0.93 else N,
                "+33 6 %02d %02d %02d %02d" % tuple(rng.randrange(100) for _ in range(4)) if rng.random() < 0.8 else N,
                esc("%d %s" % (rng.randint(1, 180), rng.choice(STREETS))),
                esc(rng.choice(("Bâtiment B", "Appartement 12", "Résidence Les Érables", "BP 42"))) if rng.random() < 0.2 else N,
                cp, esc(city), statut, esc(arr(canaux)), esc(arr(interets)) if interets else N,
                "t" if rng.random() < 0.35 else "f", ts(created),
                ts(created + rng.random() * 86400 * 900) if rng.random() < 0.6 else N,
                esc(tx.sentences(rng.randint(1, 3))) if rng.random() < 0.1 else N))

            # dependants
            deps = []
            for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3))):
                ids["adherents.ayant_droit"] += 1
                did = ids["adherents.ayant_droit"]
                lien = rng.choice(("conjoint", "enfant", "enfant", "enfant"))
                dfirst = rng.choice(FIRST_NAMES)
                dbirth = birth + rng.randrange(-5 * 365, 35 * 365) * 86400
                deps.append((did, dfirst))
                O["adherents.ayant_droit"].row((
                    str(did), str(mid), lien, esc(last if lien == "enfant" else rng.choice(LAST_NAMES)), esc(dfirst),
                    day(dbirth), "%d%02d%02d%02d%03d%03d%02d" % (rng.randint(1, 2), rng.randrange(100), rng.randint(1, 12),
                                                                  rng.randint(1, 95), rng.randrange(1000),
                                                                  rng.randrange(1000), rng.randrange(100))
                    if rng.random() < 0.7 else N))

            # contracts, their invoices
            contracts = []
            for c in range(rng.choice((1, 1, 1, 2, 2, 3))):
                ids["adherents.contrat"] += 1
                cid = ids["adherents.contrat"]
                produit, formules = rng.choice(PRODUITS)
                start = created + rng.randrange(0, 86400 * 60)
                end = None
                if statut == "radié" or rng.random() < 0.15:
                    end = start + rng.randrange(180, 2000) * 86400
                months_total = int(((end or self.t1) - start) / (30.44 * 86400))
                premium = rng.randint(1800, 21000)
                opts = rng.sample(OPTIONS, rng.randint(0, 3))
                cond = None
                if rng.random() < 0.6:
                    cond = {"plafond_annuel": rng.choice((1500, 3000, 5000)), "délai_carence_jours": rng.choice((0, 90, 180)),
                            "garanties": {a[0]: rng.choice((100, 150, 200, 300)) for a in rng.sample(ACTES, 4)},
                            "résiliation_infra_annuelle": rng.random() < 0.5}
                contracts.append((cid, start, end))
                O["adherents.contrat"].row((
                    str(cid), str(mid), "CTR-%08d" % cid, esc(produit), esc(rng.choice(formules)), day(start),
                    day(end) if end else N, money(premium), esc(arr(opts)),
                    "{" + ",".join(str(d[0]) for d in deps) + "}" if deps and rng.random() < 0.8 else N,
                    esc(js(cond)) if cond else N, ts(start - rng.random() * 86400 * 10)))
                # the last 24 monthly invoices at most
                m0 = max(0, months_total - 24)
                for m in range(m0, months_total + 1):
                    ids["facturation.facture"] += 1
                    fid = ids["facturation.facture"]
                    pstart = start + m * 30.44 * 86400
                    nl = rng.choice((1, 1, 2, 3))
                    lines = []
                    for li in range(nl):
                        amount = premium if li == 0 else rng.randint(300, 2500)
                        lines.append({"libellé": "Cotisation %s" % ("mensuelle" if li == 0 else rng.choice(OPTIONS)),
                                      "montant": money(amount), "bénéficiaires": 1 + len(deps) if li == 0 else 1})
                    ht = sum(int(x["montant"].replace(".", "")) for x in lines)
                    tax = ht * 1327 // 10000  # taxe de solidarité additionnelle, 13.27 %
                    paid = rng.random()
                    O["facturation.facture"].row((
                        str(fid), str(cid), "FAC-%09d" % fid, day(pstart), day(pstart + 10 * 86400),
                        "[%s,%s)" % (day(pstart), day(pstart + 30.44 * 86400)), money(ht), money(tax), money(ht + tax),
                        "{" + ",".join(x["montant"] for x in lines) + "}", esc(js(lines)),
                        ts(pstart + rng.random() * 86400 * 12) if paid < 0.96 else N,
                        rng.choice(("prélèvement SEPA", "prélèvement SEPA", "carte bancaire", "chèque")) if paid < 0.96 else N,
                        esc(rng.choice(("Provision insuffisante", "Compte clôturé", "Opposition sur mandat")))
                        if 0.96 <= paid < 0.98 else N))

            # claims and their documents
            claims = []
            for _ in range(int(rng.expovariate(1 / 6.0))):
                ids["prestations.demande"] += 1
                qid = ids["prestations.demande"]
                cid, cstart, cend = rng.choice(contracts)
                acte, codes, lo, hi = rng.choice(ACTES)
                dep = rng.randint(lo, hi)
                base = min(dep, rng.randint(lo // 2, lo + 1))
                taux = rng.choice((60, 70, 100))
                secu = base * taux // 100
                mut = min(dep - secu, rng.randint(0, dep))
                dt = cstart + rng.random() * ((cend or self.t1) - cstart)
                st = rng.choices(("payée", "en cours", "rejetée", "à compléter"), (85, 8, 4, 3))[0]
                det = {"professionnel": {"nom": "Dr " + rng.choice(LAST_NAMES), "rpps": "%011d" % rng.randrange(10**11),
                                         "ville": rng.choice(CITIES)[1]},
                       "lignes": [{"code": rng.choice(codes), "quantité": rng.randint(1, 3),
                                   "montant": money(dep // 2 + i), "dépassement": money(rng.randint(0, 3000))}
                                  for i in range(rng.randint(1, 4))],
                       "télétransmise": rng.random() < 0.8, "tiers_payant": rng.random() < 0.5}
                if rng.random() < 0.2:
                    det["historique"] = [{"le": ts(dt + i * 86400), "étape": e, "par": rng.choice(("système", "conseiller"))}
                                         for i, e in enumerate(("reçue", "contrôlée", "liquidée", "payée"))]
                if rng.random() < 0.05:
                    det["dents"] = rng.sample(range(11, 49), 3)
                ben = rng.choice([first] + [d[1] for d in deps])
                claims.append(qid)
                O["prestations.demande"].row((
                    str(qid), str(mid), str(cid), esc(ben), ts(dt + 86400 * rng.random() * 20), day(dt), esc(acte),
                    esc(arr(rng.sample(codes, rng.randint(1, len(codes))))), money(dep), money(base),
                    money(secu), money(mut) if st == "payée" else N, "%d.00" % taux, esc(st), esc(js(det)),
                    ts(dt + 86400 * (20 + rng.random() * 15)) if st in ("payée", "rejetée") else N,
                    esc(tx.sentence()) if rng.random() < 0.08 else N))

            for _ in range(rng.choice((0, 0, 0, 0, 1, 1, 2))):
                ids["ged.document"] += 1
                gid = ids["ged.document"]
                kind = rng.random()
                # Large scans: the first, early and of 6 MB, is the largest
                # at every scale (so peak memory compares across scales);
                # then one every 997 documents, of 2-6 MB.
                if gid == 20 or (n_big < max_big and gid % 997 == 500):
                    n_big += 1
                    size = 6_000_000 if gid == 20 else rng.randint(2_000_000, 5_900_000)
                    name, mime = "dossier-hospitalisation-%d.pdf" % gid, "application/pdf"
                    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(size)
                elif kind < 0.5:
                    name, mime = "facture-%s-%d.pdf" % (slugify(rng.choice(ACTES)[0]), gid), "application/pdf"
                    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(int(rng.lognormvariate(10.2, 0.6)))
                elif kind < 0.8:
                    name, mime = "ordonnance-%d.jpg" % gid, "image/jpeg"
                    body = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(int(rng.lognormvariate(10.5, 0.5)))
                else:
                    name, mime = "attestation-%d.xml" % gid, "application/xml"
                    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<attestation adhérent="%d">\n%s</attestation>\n' % (
                        mid, "".join("  <ligne>%s</ligne>\n" % tx.sentence() for _ in range(rng.randint(5, 40))))
                    ).encode("utf-8")
                O["ged.document"].row((
                    str(gid), str(mid), str(rng.choice(claims)) if claims and rng.random() < 0.7 else N,
                    esc(name), mime, str(len(body)), hashlib.sha256(body).hexdigest(), "\\\\x" + body.hex(),
                    ts(created + rng.random() * 86400 * 700)))

            # journal
            et = created
            for _ in range(int(rng.expovariate(1 / 24.0))):
                ids["journal.evenement"] += 1
                eid = ids["journal.evenement"]
                et += rng.random() * 86400 * 20
                typ = rng.choice(EVENTS)
                ip = ("%s%d" % (rng.choice(("192.0.2.", "198.51.100.", "203.0.113.")), rng.randint(1, 254))
                      if rng.random() < 0.8 else "2001:db8:%x::%x" % (rng.randrange(65536), rng.randrange(65536)))
                data = None
                r = rng.random()
                if typ == "modification_coordonnees":
                    data = {"champ": rng.choice(("adresse", "téléphone", "courriel", "RIB")),
                            "ancienne_valeur": tx.sentence(2, 5), "nouvelle_valeur": tx.sentence(2, 5)}
                elif typ == "message_conseiller":
                    data = {"objet": tx.title(), "corps": tx.sentences(rng.randint(1, 5)), "pièces_jointes": rng.randint(0, 2)}
                elif r < 0.3:
                    data = {"page": "/" + slugify(tx.title())[:40], "durée_ms": rng.randint(20, 4000)}
                O["journal.evenement"].row((
                    str(eid), str(mid) if rng.random() < 0.995 else N, ts(et), typ,
                    "%032x" % rng.getrandbits(128) if typ != "echec_connexion" else N, ip,
                    esc(rng.choice(AGENTS)) if rng.random() < 0.97 else N,
                    "%02d:%02d:%02d.%03d" % (0, rng.randrange(60), rng.randrange(60), rng.randrange(1000))
                    if typ in ("connexion", "deconnexion") else N,
                    esc(js(data)) if data else N,
                    esc(arr(rng.sample(["mobile", "web", "2FA", "nouvel appareil", "à vérifier"], rng.randint(1, 2))))
                    if rng.random() < 0.3 else N))
        for n in TABLES:
            O[n].close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20241)
    a = ap.parse_args()
    with open(os.path.join(a.out, "schema.sql"), "w", encoding="utf-8") as f:
        f.write(SCHEMA)
    with open(os.path.join(a.out, "constraints.sql"), "w", encoding="utf-8") as f:
        f.write(CONSTRAINTS)
    print("schema", flush=True)
    Gen(a.size_mb, a.seed, a.out).run()
    print("constraints", flush=True)


if __name__ == "__main__":
    main()
