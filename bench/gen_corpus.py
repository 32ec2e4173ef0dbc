#!/usr/bin/env python3
"""Seeded generator of a synthetic interview corpus for qcode's benchmarks.

    python3 bench/gen_corpus.py OUT_DIR [--size 1G] [--seed 42] [--jobs 2]
    python3 bench/gen_corpus.py --codebook-terms 1000 --out cb1000.yaml

Writes OUT_DIR/transcripts/{en,es,mixed}/NNNN/interview_NNNNNN.txt: thousands
of plain-text transcripts of 50-200 KB each (sizes drawn uniformly), in
English (50 %), Spanish (40 %) or code-switched (10 %), until their total
reaches --size (suffixes K, M, G are powers of 1024). Documented sizes:

    --size 100M   ~  820 files   (~ 250,000 paragraphs)
    --size 1G     ~ 8,400 files  (~ 2.6 million paragraphs)

Every file is a transcript as researchers get them from transcription
services: a header paragraph (`Fecha: 12/03/2019`, which the default speaker
rule takes as a label), then alternating turns of an interviewer
(`Interviewer:`, `INTERVIEWER:`, `Entrevistadora:`, `Entrevistador:`) and
participants (`P03:`, `R1:`, `Participante:`, `Sra. López:` …), one paragraph
per turn, long answers running over several paragraphs without a new label,
some quick exchanges on consecutive lines, optional `[00:12:31]` timestamps,
annotations (`[inaudible]`, `(risas)`). Text has accents (also the
accent-less spellings people type: `prestamo`, `ano`, `mama`), numbers, money
amounts, dates, phone and case numbers, and the vocabulary of
bench/codebook.yaml at a realistic density, including the traps of its rules
(`coyotes howl`, `gracias a Dios`, `sick of`, `renta` of a flat vs. gang
`renta`, `credible fear interview`, `patrón … gritaba`, near pairs).
A quarter of the files are hard-wrapped at 70-90 columns (so phrases cross
line breaks), 5 % have CRLF line ends, 2 % decomposed (NFD) accents, 1 % a
UTF-8 BOM.

Determinism: the same --seed and --size give byte-identical files whatever
--jobs is (each file has its own generator seeded from the seed and its
number; CPython >= 3.6). The output directory is overwritten.

--codebook-terms N writes a variant of bench/codebook.yaml with about N
keyword terms (N < 427 keeps the first terms of every code, N > 427 adds
keywords built from the corpus vocabulary and invented words), for the
codebook-size scaling runs; with --no-patterns it keeps only keywords, with
--patterns-only only the 20 regular expressions (one code each).

--fixtures DIR writes the two 64 KB transcripts used by `cargo bench`.
"""

import argparse
import os
import random
import re
import sys
import unicodedata
from multiprocessing import Pool

# ---------------------------------------------------------------------------
# Vocabulary. Slots are {name}; every slot is filled from the list of the
# same name (per language), or from a number generator (AMOUNT, DATE, ...).

EN = {
    "smuggler": ["coyote", "the coyote", "a smuggler", "the smugglers", "the guide", "a pollero",
                 "people smuggler", "the man who smuggled us", "the coyotes", "a guy, the coyote"],
    "crossing": ["crossed the border", "crossed the river", "crossed the desert", "went across the wall",
                 "crossed near the checkpoint", "crossed the Rio Grande", "walked across the line",
                 "swam across the river", "got across"],
    "transport": ["a bus", "the truck", "a freight train", "the train", "a small boat", "a van",
                  "the back of a trailer", "two buses", "a raft"],
    "detained": ["detained", "arrested", "deported", "caught by Border Patrol", "taken into custody",
                 "sent to the detention center", "picked up by ICE", "held in the icebox"],
    "family": ["my kids", "my children", "my son", "my daughter", "my wife", "my husband", "my mother",
               "my father", "my mom", "my dad", "my grandmother", "my parents", "my family",
               "my relatives", "my partner", "the baby"],
    "work": ["in construction", "in the fields", "cleaning houses", "in roofing", "doing drywall",
             "picking strawberries", "picking tomatoes", "on a farm", "as a nanny", "in housekeeping",
             "painting houses", "pouring concrete", "for a contractor", "babysitting", "in a restaurant",
             "at a car wash", "in a factory", "in the harvest"],
    "debt": ["a loan", "the debt", "a debt", "loans", "a mortgage on the house", "money from a usurer",
             "a loan from the bank", "money we owed"],
    "feeling": ["afraid", "scared", "anxious", "depressed", "sad", "tired", "happy", "relieved",
                "nervous", "sick", "stressed", "worried"],
    "violence": ["the gangs", "the gang", "the mara", "MS-13", "Barrio 18", "the police", "soldiers",
                 "the army", "the cops", "the extortionists", "a sicario"],
    "health": ["a fever", "pain in my feet", "blisters", "a broken arm", "diabetes", "nightmares",
               "anxiety", "an injury", "a bad cough", "trauma"],
    "legal": ["asylum", "my papers", "a work permit", "a green card", "a visa", "TPS", "parole",
              "my passport", "a license", "the documents", "my hearing", "a lawyer"],
    "place": ["Houston", "Los Angeles", "Phoenix", "Tucson", "Chicago", "New York", "Dallas", "Atlanta",
              "Reynosa", "Tijuana", "Juárez", "Nogales", "Tapachula", "Guatemala City", "San Salvador",
              "Tegucigalpa", "Huehuetenango", "Oaxaca", "Chiapas", "the village", "my town"],
    "person": ["my cousin", "a friend", "a neighbor", "the pastor", "my brother", "my sister",
               "my uncle", "a woman from church", "the landlord", "my boss", "a lawyer", "the judge",
               "a friend of my father", "some people from my town"],
    "housing": ["a room", "an apartment", "a trailer", "a shelter", "a couch", "a house with eight people",
                "a basement", "a small room"],
    "lang": ["English", "Spanish", "K'iche'", "Mam", "Q'anjob'al", "my language"],
}

ES = {
    "smuggler": ["el coyote", "un coyote", "el pollero", "los polleros", "un traficante", "el guía",
                 "los coyotes", "el pasador", "un señor, el coyote", "el patero"],
    "crossing": ["cruzamos la frontera", "cruzamos el río", "cruzamos el desierto", "cruzamos el Río Bravo",
                 "pasamos el muro", "cruzamos la línea", "pasamos por la garita", "cruzamos nadando",
                 "nos cruzaron"],
    "transport": ["un bus", "el camión", "la Bestia", "el tren", "una lancha", "una camioneta",
                  "un tráiler", "dos autobuses", "una balsa", "un camion"],
    "detained": ["detenido", "detenidos", "deportado", "nos agarró la migra", "en la hielera",
                 "en el centro de detención", "arrestado", "nos detuvieron"],
    "family": ["mis hijos", "mi hijo", "mi hija", "los niños", "mi esposa", "mi esposo", "mi marido",
               "mi madre", "mi padre", "mi mamá", "mi mama", "mi papá", "mis padres", "mi abuela",
               "mi familia", "mis parientes", "mi pareja", "la bebé", "mi novia"],
    "work": ["en la construcción", "en el campo", "limpiando casas", "en la obra", "de albañil",
             "en la cosecha", "en el corte de café", "en la pisca", "de niñera", "en la limpieza",
             "de pintura", "con un contratista", "en un restaurante", "en una fábrica", "de jornalero",
             "en la milpa", "cuidando niños"],
    "debt": ["un préstamo", "un prestamo", "la deuda", "una deuda", "préstamos", "la hipoteca",
             "dinero de un prestamista", "dinero de un agiotista", "lo que debemos", "el PRÉSTAMO"],
    "feeling": ["miedo", "mucho miedo", "ansiedad", "tristeza", "depresión", "cansancio", "alegría",
                "nervios", "estrés", "pesadillas"],
    "violence": ["las pandillas", "la pandilla", "la mara", "los mareros", "la MS-13", "el Barrio 18",
                 "la policía", "los soldados", "el ejército", "los militares", "un sicario",
                 "los extorsionistas"],
    "health": ["fiebre", "dolor en los pies", "ampollas", "un brazo quebrado", "diabetes", "pesadillas",
               "ansiedad", "una herida", "tos", "vómitos"],
    "legal": ["asilo", "los papeles", "un permiso de trabajo", "la green card", "una visa", "el TPS",
              "el pasaporte", "una licencia", "los documentos", "la audiencia", "un abogado", "la cédula"],
    "place": ["Houston", "Los Ángeles", "Phoenix", "Tucson", "Chicago", "Nueva York", "Dallas", "Atlanta",
              "Reynosa", "Tijuana", "Juárez", "Nogales", "Tapachula", "la capital", "San Salvador",
              "Tegucigalpa", "Huehuetenango", "Oaxaca", "Chiapas", "la aldea", "mi pueblo", "Querétaro"],
    "person": ["mi primo", "un amigo", "una vecina", "el pastor", "mi hermano", "mi hermana", "mi tío",
               "una señora de la iglesia", "el dueño de la casa", "el patrón", "un abogado", "la jueza",
               "un paisano", "mi compadre", "la comadre", "unos amigos del pueblo"],
    "housing": ["un cuarto", "un apartamento", "un tráiler", "un albergue", "un sofá",
                "una casa con ocho personas", "un sótano", "un cuartito"],
    "lang": ["inglés", "español", "k'iche'", "mam", "q'anjob'al", "mi idioma", "ingles"],
}

EN_PARTICIPANT = [
    "We paid {smuggler} {AMOUNT} to take us to {place}.",
    "{smuggler_cap} charged {AMOUNT} per person, and we had to pay half before leaving.",
    "We {crossing} at night, it was {NUM} of us.",
    "It took {DURATION} to get to {place}, mostly on {transport}.",
    "I was {detained} near {place} and they kept me for {DURATION}.",
    "I left {family} in {place} and I think about them every day.",
    "I miss {family} so much, we do video calls on Sundays.",
    "Right now I work {work}, six days a week.",
    "I started working {work} when I got to {place}.",
    "My boss didn't pay us for two weeks, he said the contractor never paid him.",
    "We took {debt} to pay for the trip, with interest every month.",
    "The interest was ten percent monthly, so the debt kept growing.",
    "We still owe {AMOUNT}, I send money every two weeks through Western Union.",
    "I send remittances to {family}, about {AMOUNT} a month.",
    "I was {feeling} the whole time, I couldn't sleep.",
    "{violence_cap} wanted the war tax from my store, they threatened to kill my son.",
    "The gang said they would kill us if we did not pay, so we left in {YEAR}.",
    "{violence_cap} stopped the bus and robbed everyone.",
    "In the desert I got {health} and nobody could help me.",
    "I went to the hospital here because of {health}, but I have no health insurance.",
    "I applied for {legal}, my case number is {ANUM}.",
    "I have a hearing in immigration court on {DATE}, and I still don't have a lawyer.",
    "I had the credible fear interview in {MONTH}, they said I passed.",
    "I filed the I-589 for asylum in {YEAR}.",
    "Now I live in {housing} in {place}, the rent is {AMOUNT}.",
    "We rented {housing} with my cousin, the landlord is a good man.",
    "{person_cap} helped us at the beginning, they gave us food and clothes.",
    "At church the pastor helped me find a job, we pray together every Sunday.",
    "I speak {lang}, and a little English, so sometimes I need an interpreter.",
    "My daughter translates for me at the doctor.",
    "I was {AGE} years old when I first came, in {YEAR}.",
    "The coyotes were howling in the desert, like an animal, it was scary.",
    "Thank God we made it.",
    "Oh my God, it was so hot, we had no water.",
    "I'm sick of this, honestly, sick of waiting.",
    "Back home the police work with the gangs, you cannot report anything.",
    "Here I am undocumented, I have no status, so I'm always afraid of ICE.",
    "They gave me a paper with the number {ANUM} and a date, {DATE}.",
    "My phone number then was {PHONE}, the coyote called me there.",
    "We walked from kilometer {NUM} to the highway {NUM}.",
    "It cost {AMOUNT} in total, plus {AMOUNT} for the hotel in {place}.",
    "My kids stayed with my mother, I left them when they were {AGE} and {AGE}.",
    "I work overtime but they don't pay the overtime.",
    "We saved up for {DURATION} but it was not enough.",
    "I have {NUM} children, the youngest is {AGE}.",
    "There were {NUM} people in the truck, there was no air.",
    "The journey was very hard, but we had no choice.",
    "My husband got injured at work, he fell from a roof.",
    "The boss was always yelling at us, and the patrón never gave us breaks.",
    "We got to the border on {DATE} at {TIME}.",
]

EN_FILLER = [
    "You know, it was like that.",
    "I don't know how to explain it.",
    "Yes, yes.",
    "Well, that's how it was.",
    "And then, I mean, we just kept going.",
    "It was hard, really hard.",
    "I remember it like it was yesterday.",
    "Sometimes I don't want to think about it.",
    "We didn't know anybody there.",
    "Everything was new for us.",
    "And that was the first time.",
    "Then we waited, we waited a lot.",
    "Nobody told us anything.",
    "I was very young, I didn't understand.",
    "It's complicated.",
    "That's the truth.",
    "We had to keep quiet all the time.",
    "After that things got a little better.",
    "I tell you because it's important.",
    "We walked for hours and hours.",
    "[inaudible]",
    "(laughs)",
    "Mm-hmm.",
    "Like, you know what I mean?",
    "In {MONTH} it was very cold.",
    "We arrived on a {WEEKDAY}.",
    "It was about {NUM} hours.",
    "It happened around {TIME}.",
]

EN_INTERVIEWER = [
    "How much did the coyote charge you?",
    "Can you tell me about the journey?",
    "How did you cross the border?",
    "Did you have to borrow money for the trip?",
    "Who stayed behind in your family?",
    "What kind of work do you do now?",
    "Were you ever detained?",
    "How is your health these days?",
    "Do you have a lawyer for your case?",
    "Do you send money home?",
    "What happened with the gangs?",
    "Where do you live now?",
    "Do you go to church?",
    "Did the police help you?",
    "How old were you then?",
    "And then what happened?",
    "Can you say more about that?",
    "I see. Go on.",
    "How did that make you feel?",
    "When was that, more or less?",
    "Thank you. Take your time.",
    "Okay.",
]

ES_PARTICIPANT = [
    "Le pagamos a {smuggler} {AMOUNT} para que nos llevara a {place}.",
    "{smuggler_cap} cobraba {AMOUNT} por persona, y había que pagar la mitad antes de salir.",
    "{crossing_cap} de noche, éramos {NUM}.",
    "Tardamos {DURATION} en llegar a {place}, casi todo en {transport}.",
    "Me tuvieron {detained} cerca de {place} por {DURATION}.",
    "Dejé a {family} en {place} y pienso en ellos todos los días.",
    "Extraño mucho a {family}, hacemos videollamada los domingos.",
    "Ahorita trabajo {work}, seis días a la semana.",
    "Empecé a trabajar {work} cuando llegué a {place}.",
    "El patrón no me pagó dos semanas, dijo que el contratista no le había pagado.",
    "Sacamos {debt} para pagar el viaje, con intereses cada mes.",
    "El interés era del diez por ciento mensual, y la deuda seguía creciendo.",
    "Todavía debemos {AMOUNT}, mando dinero cada quince días por Western Union.",
    "Le mando remesas a {family}, como {AMOUNT} al mes.",
    "Tenía {feeling} todo el tiempo, no podía dormir.",
    "{violence_cap} pedía la renta de la tienda, amenazaron con matar a mi hijo.",
    "La pandilla dijo que nos iban a matar si no pagábamos, por eso salimos en {YEAR}.",
    "{violence_cap} paró el bus y nos asaltaron a todos.",
    "En el desierto me dio {health} y nadie me podía ayudar.",
    "Fui a la clínica por {health}, pero no tengo seguro médico.",
    "Pedí {legal}, mi número de caso es {ANUM}.",
    "Tengo audiencia en la corte de inmigración el {DATE}, y todavía no tengo abogado.",
    "Tuve la entrevista de miedo creíble en {MONTH_ES}, me dijeron que pasé.",
    "Hace {NUM} años que llegué, en {MONTH_ES} de {YEAR}.",
    "Ahora vivo en {housing} en {place}, el alquiler es de {AMOUNT}.",
    "Rentamos {housing} con mi primo, el dueño de la casa es buena gente.",
    "{person_cap} nos ayudó al principio, nos dio comida y ropa.",
    "En la iglesia el pastor me ayudó a conseguir trabajo, oramos juntos cada domingo.",
    "Hablo {lang}, y un poco de inglés, a veces necesito intérprete.",
    "Mi hija me traduce en el médico.",
    "Tenía {AGE} años cuando vine la primera vez, en {YEAR}.",
    "Los coyotes aullaban en el desierto, como animal, daba miedo.",
    "Gracias a Dios llegamos.",
    "Ay, Dios mío, hacía un calor, no teníamos agua.",
    "Allá la policía trabaja con las maras, no se puede denunciar nada.",
    "Aquí estoy sin papeles, indocumentado, siempre con miedo a la migra.",
    "Me dieron un papel con el número {ANUM} y una fecha, {DATE}.",
    "Mi teléfono era el {PHONE}, ahí me llamaba el coyote.",
    "Caminamos desde el km {NUM} hasta la carretera {NUM}.",
    "Costó {AMOUNT} en total, más {AMOUNT} del hotel en {place}.",
    "Mis hijos se quedaron con mi mamá, los dejé cuando tenían {AGE} y {AGE} años.",
    "Hago horas extra pero no me pagan las horas extra.",
    "Ahorramos durante {DURATION} pero no alcanzó.",
    "Tengo {NUM} hijos, el más chiquito tiene {AGE} años.",
    "Íbamos {NUM} personas en el tráiler, no había aire.",
    "El viaje fue muy duro, pero no teníamos otra opción.",
    "Mi esposo se lastimó en el trabajo, se cayó de un techo, quedó herido.",
    "El patrón nos gritaba todo el tiempo y no nos dejaba descansar.",
    "Llegamos a la frontera el {DATE} como a las {TIME}.",
    "El año pasado se murió mi abuelo y no pude ir al entierro.",
    "Hace como un ano que no veo a mi mama.",
    "La renta de la pandilla era de {AMOUNT} a la semana.",
    "Pagamos el alquiler del apartamento, la renta es muy cara aquí.",
    "Una niña de {AGE} años venía sola en el grupo.",
]

ES_FILLER = [
    "Pues sí, así fue.",
    "No sé cómo explicarle.",
    "Sí, sí.",
    "Bueno, así fue.",
    "Y luego, o sea, seguimos caminando.",
    "Fue duro, bien duro.",
    "Me acuerdo como si fuera ayer.",
    "A veces no quiero ni pensar en eso.",
    "No conocíamos a nadie allá.",
    "Todo era nuevo para nosotros.",
    "Y esa fue la primera vez.",
    "Después esperamos, esperamos mucho.",
    "Nadie nos decía nada.",
    "Yo estaba muy joven, no entendía.",
    "Es complicado.",
    "Esa es la verdad.",
    "Teníamos que estar callados todo el tiempo.",
    "Después las cosas mejoraron un poquito.",
    "Le digo porque es importante.",
    "Caminamos horas y horas.",
    "Este... ¿cómo se dice?",
    "¡Imagínese!",
    "[inaudible]",
    "(risas)",
    "Ajá.",
    "En {MONTH_ES} hacía mucho frío.",
    "Llegamos un {WEEKDAY_ES}.",
    "Eran como {NUM} horas.",
    "Eso pasó como a las {TIME}.",
]

ES_INTERVIEWER = [
    "¿Cuánto le cobró el coyote?",
    "¿Me puede contar del viaje?",
    "¿Cómo cruzaron la frontera?",
    "¿Tuvo que pedir un préstamo para el viaje?",
    "¿Quién de su familia se quedó allá?",
    "¿En qué trabaja ahora?",
    "¿Alguna vez lo detuvieron?",
    "¿Cómo está de salud?",
    "¿Tiene abogado para su caso?",
    "¿Manda dinero a su casa?",
    "¿Qué pasó con las pandillas?",
    "¿Dónde vive ahora?",
    "¿Va a la iglesia?",
    "¿La policía lo ayudó?",
    "¿Cuántos años tenía?",
    "¿Y luego qué pasó?",
    "¿Me puede contar un poco más?",
    "Ya veo. Siga, por favor.",
    "¿Cómo se sintió?",
    "¿Cuándo fue eso, más o menos?",
    "Gracias. Con calma.",
    "Muy bien.",
]

MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
             "octubre", "noviembre", "diciembre"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS_ES = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


def amount(rng, es):
    k = rng.random()
    n = rng.choice([150, 200, 300, 500, 800, 1200, 1500, 2500, 3000, 3500, 4000, 5000, 6000, 7500, 8000,
                    10000, 12000, 15000])
    if k < 0.35:
        return "${:,}".format(n)
    if k < 0.45:
        return "$ {}".format(n)
    if es:
        if k < 0.65:
            return "{} {}".format(n, rng.choice(["dólares", "dolares", "quetzales", "pesos", "lempiras"]))
        if k < 0.8:
            return "{} mil {}".format(rng.randint(2, 90), rng.choice(["quetzales", "pesos", "dólares"]))
        return "{:,} pesos".format(n * 10)
    if k < 0.7:
        return "{} dollars".format(n)
    if k < 0.85:
        return "{:,} dollars".format(n)
    return "{:,} pesos".format(n * 10)


def fill(template, lang, rng):
    es = lang == "es"
    vocab = ES if es else EN

    def sub(m):
        name = m.group(1)
        if name == "AMOUNT":
            return amount(rng, es)
        if name == "NUM":
            return str(rng.randint(2, 60))
        if name == "AGE":
            return str(rng.randint(2, 17))
        if name == "YEAR":
            return str(rng.randint(1995, 2024))
        if name == "DATE":
            if es and rng.random() < 0.5:
                return "{} de {} de {}".format(rng.randint(1, 28), rng.choice(MONTHS_ES), rng.randint(2010, 2024))
            return "{}/{}/{}".format(rng.randint(1, 12), rng.randint(1, 28), rng.randint(2010, 2024))
        if name == "MONTH":
            return rng.choice(MONTHS_EN)
        if name == "MONTH_ES":
            return rng.choice(MONTHS_ES)
        if name == "WEEKDAY":
            return rng.choice(WEEKDAYS_EN)
        if name == "WEEKDAY_ES":
            return rng.choice(WEEKDAYS_ES)
        if name == "TIME":
            return "{}:{:02d} {}".format(rng.randint(1, 12), rng.choice([0, 15, 30, 45]),
                                         rng.choice(["am", "pm", "a.m.", "p.m.", "de la mañana"]))
        if name == "DURATION":
            n = rng.randint(2, 30)
            unit = rng.choice(["días", "dias", "semanas", "meses"] if es else ["days", "weeks", "months"])
            return "{} {}".format(n, unit)
        if name == "ANUM":
            return "A{}{:09d}".format(rng.choice(["", "-"]), rng.randint(0, 999999999))
        if name == "PHONE":
            return "({}) {}-{:04d}".format(rng.randint(200, 999), rng.randint(200, 999), rng.randint(0, 9999))
        cap = name.endswith("_cap")
        word = rng.choice(vocab[name[:-4] if cap else name])
        return word[0].upper() + word[1:] if cap else word

    return re.sub(r"\{([A-Za-z_]+)\}", sub, template)


def build_pools(seed):
    """Sentence pools, the same in every worker process."""
    rng = random.Random(seed * 7919 + 1)
    pools = {}
    for lang, part, filler, inter in (("en", EN_PARTICIPANT, EN_FILLER, EN_INTERVIEWER),
                                      ("es", ES_PARTICIPANT, ES_FILLER, ES_INTERVIEWER)):
        content = [fill(rng.choice(part), lang, rng) for _ in range(30000)]
        fill_s = [fill(rng.choice(filler), lang, rng) for _ in range(15000)]
        # Interviewer turns: mostly questions, some echoing the answer.
        questions = [fill(rng.choice(inter), lang, rng) for _ in range(6000)]
        pools[lang] = (content, fill_s, questions)
    return pools


POOLS = None


def init_worker(seed):
    global POOLS
    POOLS = build_pools(seed)


INTERVIEWERS = {"en": ["Interviewer", "INTERVIEWER", "Interviewer", "Q"],
                "es": ["Entrevistadora", "Entrevistador", "ENTREVISTADORA", "Entrevistadora"]}


def participant_labels(rng, lang):
    n = rng.randint(1, 40)
    style = rng.random()
    if style < 0.5:
        main = "P{:02d}".format(n)
    elif style < 0.7:
        main = "R{}".format(n)
    elif style < 0.85:
        main = "Participant {}".format(n) if lang == "en" else "Participante"
    else:
        main = rng.choice(["Sra. López", "Don Ramiro", "Padre Tomás", "María José", "Ángela"])
    second = rng.choice(["P{:02d}".format(n + 1), "Sra. López", "R{}".format(n + 1)])
    return main, second


def paragraph(rng, pools, lang, k, content_share):
    content, filler, _ = pools[lang]
    out = []
    for _ in range(k):
        out.append(rng.choice(content) if rng.random() < content_share else rng.choice(filler))
    return " ".join(out)


def stamp(t):
    return "[{:02d}:{:02d}:{:02d}] ".format(t // 3600, t // 60 % 60, t % 60)


def wrap(text, width):
    """Hard-wraps each line of `text` at `width` columns (at spaces)."""
    lines = []
    for line in text.split("\n"):
        while len(line) > width:
            cut = line.rfind(" ", 0, width)
            if cut <= 0:
                break
            lines.append(line[:cut])
            line = line[cut + 1:]
        lines.append(line)
    return "\n".join(lines)


def make_file(args):
    index, target, seed = args
    rng = random.Random(seed * 1000003 + index)
    pools = POOLS
    r = rng.random()
    lang = "en" if r < 0.5 else ("es" if r < 0.9 else "mixed")
    base = "es" if lang == "es" else "en"
    content_share = rng.uniform(0.45, 0.7)
    interviewer = rng.choice(INTERVIEWERS[base])
    main, second = participant_labels(rng, base)
    stamps = rng.random() < 0.3
    t = rng.randint(0, 120)
    paras = []
    if base == "es":
        paras.append("Entrevista {:04d}\nFecha: {}/{}/{}\nLugar: {}\nDuración: {} minutos".format(
            index, rng.randint(1, 28), rng.randint(1, 12), rng.randint(2010, 2024),
            rng.choice(ES["place"]), rng.randint(30, 180)))
    else:
        paras.append("Interview {:04d}\nDate: {}/{}/{}\nLocation: {}\nLength: {} minutes".format(
            index, rng.randint(1, 12), rng.randint(1, 28), rng.randint(2010, 2024),
            rng.choice(EN["place"]), rng.randint(30, 180)))
    size = sum(len(p) for p in paras)
    while size < target:
        plang = base if lang != "mixed" else rng.choice(["en", "es"])
        # interviewer turn
        q = rng.choice(pools[plang][2])
        if rng.random() < 0.3:
            q = q + " " + rng.choice(pools[plang][2])
        t += rng.randint(5, 60)
        para = (stamp(t) if stamps else "") + interviewer + ": " + q
        if rng.random() < 0.06:
            # a quick exchange on consecutive lines
            lines = [para]
            for _ in range(rng.randint(1, 3)):
                t += rng.randint(2, 10)
                who = main if rng.random() < 0.85 else second
                lines.append((stamp(t) if stamps else "") + who + ": " + paragraph(rng, pools, plang, 1, content_share))
                lines.append((stamp(t) if stamps else "") + interviewer + ": " + rng.choice(pools[plang][2]))
            para = "\n".join(lines)
        paras.append(para)
        size += len(para) + 2
        # participant turn: 1-4 paragraphs, the first with the label
        who = main if rng.random() < 0.9 else second
        for j in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
            t += rng.randint(20, 120)
            text = paragraph(rng, pools, plang, rng.randint(2, 7), content_share)
            if j == 0:
                text = (stamp(t) if stamps else "") + who + ": " + text
            paras.append(text)
            size += len(text) + 2
    text = "\n\n".join(paras) + "\n"
    if rng.random() < 0.25:
        text = wrap(text, rng.randint(70, 90))
    if rng.random() < 0.02:
        text = unicodedata.normalize("NFD", text)
    if rng.random() < 0.05:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if rng.random() < 0.01:
        data = b"\xef\xbb\xbf" + data
    return index, lang, data


def write_fixtures(out, seed):
    """The first transcripts in English and in Spanish of the corpus of this
    seed (without CRLF/NFD/BOM variations), cut to whole paragraphs of at
    most 64 KB."""
    init_worker(seed)
    os.makedirs(out, exist_ok=True)
    want = {"en", "es"}
    index = 1
    while want:
        _, lang, data = make_file((index, 200 << 10, seed))
        text = unicodedata.normalize("NFC", data.decode("utf-8-sig").replace("\r\n", "\n"))
        if lang in want:
            want.discard(lang)
            paras = text.split("\n\n")
            kept = []
            size = 0
            for para in paras:
                n = len((para + "\n\n").encode("utf-8"))
                if size + n > 64 << 10:
                    break
                kept.append(para)
                size += n
            path = os.path.join(out, "interview_{}.txt".format(lang))
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write("\n\n".join(kept) + "\n")
            print("wrote {} ({} bytes, transcript {})".format(path, size, index), file=sys.stderr)
        index += 1


def parse_size(s):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)i?B?", s.strip(), re.I)
    if not m:
        raise SystemExit("bad size {!r}: write e.g. 100M or 1G".format(s))
    mult = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2).upper()]
    return int(float(m.group(1)) * mult)


def plan(total, seed):
    """File sizes (50-200 KB) until they add up to `total` bytes."""
    rng = random.Random(seed)
    sizes = []
    acc = 0
    while acc < total:
        s = min(rng.randint(50 << 10, 200 << 10), max(total - acc, 4 << 10))
        sizes.append(s)
        acc += s
    return sizes


def generate(out, total, seed, jobs):
    sizes = plan(total, seed)
    root = os.path.join(out, "transcripts")
    if os.path.isdir(root):
        import shutil
        shutil.rmtree(root)
    work = [(i, s, seed) for i, s in enumerate(sizes, 1)]
    written = 0
    with Pool(jobs, initializer=init_worker, initargs=(seed,)) as pool:
        for index, lang, data in pool.imap(make_file, work, chunksize=8):
            d = os.path.join(root, lang, "{:04d}".format((index - 1) // 500))
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "interview_{:06d}.txt".format(index)), "wb") as f:
                f.write(data)
            written += len(data)
    print("wrote {} files, {:.1f} MB ({} bytes) under {}".format(len(sizes), written / 1e6, written, root),
          file=sys.stderr)


# ---------------------------------------------------------------------------
# Codebook variants for the codebook-size scaling runs.

def codebook_variant(src, n_terms, seed, mode="all"):
    """bench/codebook.yaml with about `n_terms` keywords. mode "keywords":
    keywords only (no patterns, all, near, not); "patterns": one code per
    regular expression, nothing else."""
    import yaml
    with open(src, encoding="utf-8") as f:
        cb = yaml.safe_load(f)
    codes = []

    def walk(cs):
        for c in cs:
            codes.append(c)
            walk(c.get("children", []))

    walk(cb["codes"])
    if mode == "patterns":
        pats = [p for c in codes for p in c.get("patterns", [])]
        cb["codes"] = [{"name": "re{:02d}".format(i + 1), "patterns": [p]} for i, p in enumerate(pats)]
        return yaml.safe_dump(cb, allow_unicode=True, sort_keys=False)
    if mode == "keywords":
        for c in codes:
            for key in ("patterns", "all", "near", "not", "min_hits"):
                c.pop(key, None)
    have = sum(len(c.get("keywords", [])) for c in codes)
    rng = random.Random(seed)
    if n_terms < have:
        # keep the first terms of each code, round-robin
        queues = [list(c.get("keywords", [])) for c in codes]
        keep = [[] for _ in codes]
        left = n_terms
        while left > 0:
            for q, k in zip(queues, keep):
                if q and left > 0:
                    k.append(q.pop(0))
                    left -= 1
        for c, k in zip(codes, keep):
            c["keywords"] = k
            if not k:
                c.pop("keywords")

        def prune(cs):
            """Drops codes left without rules or children."""
            out = []
            for c in cs:
                if "children" in c:
                    c["children"] = prune(c["children"])
                    if not c["children"]:
                        c.pop("children")
                if c.get("keywords") or c.get("patterns") or c.get("all") or c.get("near") or c.get("children"):
                    if not (c.get("keywords") or c.get("patterns") or c.get("all") or c.get("near")):
                        c.pop("not", None)
                    out.append(c)
            return out

        cb["codes"] = prune(cb["codes"])
    else:
        words = set()
        for v in (EN, ES):
            for lst in v.values():
                for phrase in lst:
                    for w in re.findall(r"[^\W\d_]{4,}", phrase.lower()):
                        words.add(w)
        existing = {k.lower() for c in codes for k in c.get("keywords", [])}
        words = sorted(w for w in words if w not in existing)
        rng.shuffle(words)
        extra = []
        syll = ["ka", "lo", "mi", "tu", "ra", "ne", "so", "pe", "qui", "dor", "man", "tel", "vas", "ju", "ñe", "cá"]
        while len(extra) < n_terms - have:
            if words:
                w = words.pop()
            else:
                w = "".join(rng.choice(syll) for _ in range(rng.randint(3, 4)))
            if rng.random() < 0.3:
                w = w[:max(3, len(w) - 2)] + "*"
            if w not in existing:
                existing.add(w)
                extra.append(w)
        for i, w in enumerate(extra):
            codes[i % len(codes)].setdefault("keywords", []).append(w)
    return yaml.safe_dump(cb, allow_unicode=True, sort_keys=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", help="output directory (transcripts/ is created inside)")
    ap.add_argument("--size", default="1G", help="total size, e.g. 100M, 1G (default 1G)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--codebook-terms", type=int, help="write a codebook variant with about N keywords")
    ap.add_argument("--codebook", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "codebook.yaml"))
    ap.add_argument("--output", "-o", help="with --codebook-terms: the file to write")
    ap.add_argument("--no-patterns", action="store_true",
                    help="with --codebook-terms: keywords only (no patterns, all, near, not)")
    ap.add_argument("--patterns-only", action="store_true",
                    help="with --codebook-terms: one code per regular expression of the codebook, nothing else")
    ap.add_argument("--fixtures", metavar="DIR", help="write one English and one Spanish transcript "
                    "of about 64 KB (whole paragraphs) to DIR, for the criterion benches")
    a = ap.parse_args()
    if a.fixtures:
        write_fixtures(a.fixtures, a.seed)
        return
    if a.codebook_terms is not None:
        mode = "patterns" if a.patterns_only else ("keywords" if a.no_patterns else "all")
        text = codebook_variant(a.codebook, a.codebook_terms, a.seed, mode)
        if a.output:
            with open(a.output, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
        return
    if not a.out:
        ap.error("give the output directory")
    generate(a.out, parse_size(a.size), a.seed, a.jobs)


if __name__ == "__main__":
    main()
