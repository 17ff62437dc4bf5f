"""French text for the benchmark generators (standard library only).

Everything is drawn from a random.Random the caller seeds, so the output is
the same on every run with the same seed. Words, names and places are
invented or common French vocabulary; accents, ligatures (œ, æ), French
typography (narrow no-break space before ; : ! ?, « guillemets », the
apostrophe ’) and the euro sign are all present.
"""

import unicodedata

NNBSP = "\u202f"  # narrow no-break space, before ; : ! ? in French
NBSP = "\u00a0"   # no-break space, inside « » and numbers

WORDS = """
adhérent adhérente assuré assurée mutuelle santé prévoyance remboursement
remboursements garantie garanties complémentaire ophtalmologie dentaire
hospitalisation cotisation cotisations échéance échéancier prélèvement
bénéficiaire bénéficiaires médecin généraliste spécialiste pharmacie
ordonnance décompte décomptes forfait journalier hôpital clinique
kinésithérapeute ostéopathe sage-femme naissance enfant enfants famille
retraite retraité employeur salarié salariée entreprise contrat contrats
responsable réseau opticien lunettes prothèse couronne orthodontie
prévention vaccin dépistage bien-être été hiver printemps automne congé
déménagement démarche démarches espace connexion sécurisé
télétransmission carte régime obligatoire reste charge tarif tarifs
convention conventionné honoraires dépassement plafond annuel mensuel
trimestriel délai délais réclamation conseiller conseillère agence accueil
rendez-vous téléphone courriel courrier formulaire justificatif facture
attestation relevé identité bancaire mandat prélèvements résiliation
adhésion souscription devis simulation formule formules option options
renfort équilibre essentielle sérénité proximité solidarité mutualiste
assemblée générale délégués élections statuts règlement intérieur
cœur œil sœur œuvre manœuvre nœud vœu bœuf curriculum ex-æquo naïf
maïs Noël aïeul canoë hérisson théâtre fenêtre forêt château hôtel
côte côté âge âgé âgée pâques île dîner goût août coût coûts mûr sûr
où déjà là voilà très après près dès grâce auprès au-delà à-côté
le la les des du de un une et ou à pour avec sans sur dans chez par
plus moins aussi même encore toujours souvent parfois jamais ainsi
également désormais ensuite enfin car donc mais or ni puis lorsque
nous vous leur leurs votre vos notre nos ce cette ces qui que dont
être avoir faire pouvoir devoir vouloir savoir prendre recevoir envoyer
bénéficier rembourser transmettre vérifier consulter télécharger
compléter signer déclarer modifier choisir comparer économiser protéger
accompagner simplifier améliorer répondre préciser prévoir anticiper
rapide simple gratuit gratuite clair claire complet complète nouveau
nouvelle nouvelles récent récente ancien ancienne premier première
dernier dernière prochain prochaine important importante utile utiles
personnalisé personnalisée accessible disponible disponibles
médical médicale médicaux pédiatrie gynécologie dermatologie audiologie
appareillage auditif optique verres montures lentilles implant
radiologie analyses laboratoire biologie chirurgie ambulatoire urgence
urgences pharmacie parapharmacie homéopathie acupuncture diététicien
psychologue psychomotricien orthophoniste infirmier infirmière
""".split()

CAP_WORDS = """
Paris Lyon Marseille Toulouse Nantes Rennes Lille Strasbourg Bordeaux
Montpellier Nîmes Besançon Orléans Angoulême Pézenas Sète Troyes Évreux
Châlons Écully Orléanais Bretagne Normandie Alsace Provence Occitanie
Île-de-France Auvergne-Rhône-Alpes Hauts-de-France Ain Aisne Hérault
""".split()

FIRST_NAMES = """
Jean Marie Pierre Anne Élodie Hélène Étienne Zoé Chloé Noémie Inès Maëlle
Loïc Gaëlle Anaïs Jérôme Frédéric Cécile Benoît Françoise François Agnès
Léa Léo Mathéo Océane Amélie Aurélie Clémence Mélanie Stéphane Sébastien
Thérèse Raphaël Joël Noël Ophélie Valérie Séverine Jacques Gérard René
Hervé Aimé Désirée Björn Ewa Nguyễn Mohamed Fatima Yannick Soizic Maïwenn
""".split()

LAST_NAMES = """
Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau
Simon Laurent Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier
Morel Girard André Lefebvre Mercier Dupont Lambert Bonnet François Martinez
Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas
Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier
Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly Gautier
Roger Roche Roy Noël Meyer Lucas Meunier Jean Pérez Marchand Dufour
Blanchard Marie Barbier Brun Dumas Brunet Schmitt Leroux Colin Fernandez
Pierre Renard Arnaud Rolland Caron Aubert Giraud Leclerc Vidal Bourgeois
Renaud Lemoine Picard Gaillard Philippe Leclercq Lacroix Fabre Dupuis
Olivier Rodriguez Da-Silva Hubert Louis Charles Guillot Rivière Le-Gall
Guillaume Adam Rey Moulin Gonzalez Berger Lecomte Ménard Fleury Deschamps
Carpentier Julien Benoît Paris Maillard Marchal Aubry Vasseur Le-Roux
Renault Jacquet Collet Prévost Poirier Charpentier Royer Huet Baron
Dupuy Pons Paul Laine Carré Breton Rémy Schneider Perrot Guyot Barre
Marty Cousin D'Arcy O'Neill Lagarde-Bérard Séguin Ébrard
""".split()

STREETS = [
    "rue de la République", "avenue Jean-Jaurès", "boulevard Gambetta",
    "rue Émile-Zola", "place de l’Église", "chemin des Écoliers",
    "allée des Peupliers", "impasse du Château-d’Eau", "quai des Célestins",
    "rue du Général-de-Gaulle", "route de Besançon", "rue Pasteur",
    "cours Mirabeau", "rue des Hôtes", "square Molière", "rue Noël-Ballay",
]

CITIES = [
    ("75011", "Paris"), ("69003", "Lyon"), ("13006", "Marseille"),
    ("31000", "Toulouse"), ("44000", "Nantes"), ("35000", "Rennes"),
    ("59000", "Lille"), ("67000", "Strasbourg"), ("33000", "Bordeaux"),
    ("34000", "Montpellier"), ("30000", "Nîmes"), ("25000", "Besançon"),
    ("45000", "Orléans"), ("16000", "Angoulême"), ("34120", "Pézenas"),
    ("34200", "Sète"), ("10000", "Troyes"), ("27000", "Évreux"),
    ("51000", "Châlons-en-Champagne"), ("69130", "Écully"),
    ("97400", "Saint-Denis"), ("97200", "Fort-de-France"),
    ("29200", "Brest"), ("06000", "Nice"), ("63000", "Clermont-Ferrand"),
]


def slugify(text):
    """ASCII slug, as WordPress's sanitize_title() makes after remove_accents()."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    norm = unicodedata.normalize("NFKD", text)
    out = []
    dash = False
    for ch in norm:
        if unicodedata.combining(ch):
            continue
        c = ch.lower()
        if ("a" <= c <= "z") or ("0" <= c <= "9"):
            out.append(c)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def euros(rng, lo, hi):
    """'1 234,56 €' with a narrow no-break space as thousands separator."""
    cents = rng.randrange(lo * 100, hi * 100)
    whole, frac = divmod(cents, 100)
    s = f"{whole:,}".replace(",", NNBSP)
    return f"{s},{frac:02d}{NBSP}€"


class Text:
    """Sentences and paragraphs of French, from one seeded generator."""

    def __init__(self, rng):
        self.rng = rng
        self.words = WORDS
        self.nw = len(WORDS)

    def sentence(self, lo=7, hi=22):
        rng = self.rng
        n = rng.randint(lo, hi)
        ws = rng.choices(self.words, k=n)
        r = rng.random()
        if r < 0.08:
            ws[rng.randrange(n)] = rng.choice(CAP_WORDS)
        elif r < 0.14:
            ws[rng.randrange(n)] = euros(rng, 5, 5000)
        elif r < 0.18:
            i = rng.randrange(n)
            ws[i] = f"«{NBSP}{ws[i]}{NBSP}»"
        elif r < 0.22:
            i = rng.randrange(n)
            ws[i] = "l’" + ws[i]
        elif r < 0.24:
            i = rng.randrange(n)
            ws[i] = "d'" + ws[i]  # the ASCII apostrophe too
        if n > 10 and rng.random() < 0.5:
            ws[n // 2] += ","
        first = ws[0]
        ws[0] = first[:1].upper() + first[1:]
        end = rng.random()
        if end < 0.82:
            tail = "."
        elif end < 0.90:
            tail = NNBSP + "!"
        elif end < 0.97:
            tail = NNBSP + "?"
        else:
            tail = "…"
        return " ".join(ws) + tail

    def sentences(self, n):
        return " ".join(self.sentence() for _ in range(n))

    def title(self):
        rng = self.rng
        ws = rng.choices(self.words, k=rng.randint(3, 9))
        t = " ".join(ws)
        if rng.random() < 0.2:
            t += f"{NNBSP}: " + " ".join(rng.choices(self.words, k=rng.randint(2, 4)))
        if rng.random() < 0.1:
            t += f" en {rng.randint(2012, 2025)}"
        return t[:1].upper() + t[1:]

    def person(self):
        rng = self.rng
        return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES).replace("-", " ")


def esc(s):
    """Escape a value for a tab-separated load: PostgreSQL's COPY text
    format and MariaDB's LOAD DATA default format escape alike."""
    if "\\" in s:
        s = s.replace("\\", "\\\\")
    if "\t" in s:
        s = s.replace("\t", "\\t")
    if "\n" in s:
        s = s.replace("\n", "\\n")
    if "\r" in s:
        s = s.replace("\r", "\\r")
    return s
