"""The demo company's own words in Spanish, French, German and Arabic.

Its name stays as it is in every language (a brand); its page title, footer and service
types read in the language of each customer, as a company would set them in the back
office. English is the wording of data.py.
"""

from __future__ import annotations

type Words = dict[str, dict[str, str]]

COMPANY_TRANSLATIONS: Words = {
    "es": {
        "page_title": "Tus visitas de servicio a domicilio",
        "page_footer": (
            "Mile High Home Services · Calefacción, aire acondicionado, fontanería, "
            "electricidad y reparación de electrodomésticos en todo Denver · Llama al "
            "+1 303 555 0100, de lunes a sábado, de 7:00 a 18:00.\n"
            "Esta es una empresa de demostración: todos los nombres, direcciones y números "
            "de teléfono son inventados."
        ),
    },
    "fr": {
        "page_title": "Vos interventions à domicile",
        "page_footer": (
            "Mile High Home Services · Chauffage, climatisation, plomberie, électricité et "
            "réparation d’électroménager dans tout Denver · Appelez le +1 303 555 0100, du "
            "lundi au samedi, de 7 h à 18 h.\n"
            "Ceci est une entreprise de démonstration : tous les noms, adresses et numéros "
            "de téléphone sont inventés."
        ),
    },
    "de": {
        "page_title": "Ihre Termine beim Hausservice",
        "page_footer": (
            "Mile High Home Services · Heizung, Klima, Sanitär, Elektrik und "
            "Gerätereparatur in ganz Denver · Rufen Sie +1 303 555 0100 an, Montag bis "
            "Samstag, 7:00 bis 18:00 Uhr.\n"
            "Dies ist ein Demo-Unternehmen: Alle Namen, Adressen und Telefonnummern sind "
            "erfunden."
        ),
    },
    "ar": {
        "page_title": "زياراتكم للخدمة المنزلية",
        "page_footer": (
            "Mile High Home Services · التدفئة والتبريد والسباكة والكهرباء وإصلاح الأجهزة "
            "المنزلية في جميع أنحاء دنفر · اتصلوا على \u200e+1 303 555 0100\u200e، من الاثنين "
            "إلى السبت، من 7:00 إلى 18:00.\n"
            "هذه شركة تجريبية: جميع الأسماء والعناوين وأرقام الهواتف فيها مختلَقة."
        ),
    },
}

# By the English name customers see (data.ServiceTypeData.display_name).
SERVICE_TYPE_TRANSLATIONS: dict[str, Words] = {
    "Furnace tune-up": {
        "es": {
            "display_name": "Revisión de la calefacción",
            "description": (
                "Revisión anual de tu caldera o calefactor de gas antes del frío: quemadores, "
                "sensor de llama, filtro y prueba de monóxido de carbono."
            ),
        },
        "fr": {
            "display_name": "Entretien de la chaudière",
            "description": (
                "La vérification annuelle de votre chaudière ou fournaise au gaz avant le "
                "froid : brûleurs, sonde de flamme, filtre et test de monoxyde de carbone."
            ),
        },
        "de": {
            "display_name": "Heizungswartung",
            "description": (
                "Die jährliche Prüfung Ihrer Gasheizung oder Ihres Heizkessels vor dem Winter: "
                "Brenner, Flammenfühler, Filter und eine Kohlenmonoxid-Messung."
            ),
        },
        "ar": {
            "display_name": "صيانة جهاز التدفئة",
            "description": (
                "فحص سنوي لجهاز التدفئة أو المرجل الغازي قبل البرد: الشعلات وحساس اللهب "
                "والفلتر واختبار أول أكسيد الكربون."
            ),
        },
    },
    "Air conditioner tune-up": {
        "es": {
            "display_name": "Revisión del aire acondicionado",
            "description": (
                "Revisión anual de tu aire acondicionado o bomba de calor antes del verano: "
                "serpentines, carga de refrigerante, partes eléctricas y termostato."
            ),
        },
        "fr": {
            "display_name": "Entretien de la climatisation",
            "description": (
                "La vérification annuelle de votre climatiseur ou pompe à chaleur avant "
                "l’été : serpentins, charge de réfrigérant, partie électrique et thermostat."
            ),
        },
        "de": {
            "display_name": "Klimaanlagen-Wartung",
            "description": (
                "Die jährliche Prüfung Ihrer Klimaanlage oder Wärmepumpe vor dem Sommer: "
                "Register, Kältemittelfüllung, Elektrik und Thermostat."
            ),
        },
        "ar": {
            "display_name": "صيانة المكيّف",
            "description": (
                "فحص سنوي للمكيّف أو المضخة الحرارية قبل الصيف: الملفات وشحنة غاز التبريد "
                "والأجزاء الكهربائية والترموستات."
            ),
        },
    },
    "Heating or cooling repair": {
        "es": {
            "display_name": "Reparación de calefacción o aire acondicionado",
            "description": (
                "Sin calefacción, sin frío, ruidos extraños o un equipo que se enciende y "
                "apaga sin parar. Buscamos la causa y la reparamos, casi siempre en la "
                "primera visita."
            ),
        },
        "fr": {
            "display_name": "Dépannage chauffage ou climatisation",
            "description": (
                "Plus de chauffage, plus de froid, des bruits étranges ou un appareil qui "
                "s’allume et s’éteint sans cesse. Nous trouvons la cause et réparons, le "
                "plus souvent dès la première visite."
            ),
        },
        "de": {
            "display_name": "Reparatur von Heizung oder Klimaanlage",
            "description": (
                "Keine Wärme, keine Kühlung, seltsame Geräusche oder eine Anlage, die ständig "
                "an- und ausgeht. Wir finden die Ursache und reparieren, meist schon beim "
                "ersten Besuch."
            ),
        },
        "ar": {
            "display_name": "إصلاح التدفئة أو التبريد",
            "description": (
                "لا تدفئة ولا تبريد، أو أصوات غريبة، أو جهاز يشتغل وينطفئ باستمرار. نجد السبب "
                "ونصلحه، وغالبًا من الزيارة الأولى."
            ),
        },
    },
    "Water heater service": {
        "es": {
            "display_name": "Mantenimiento del calentador de agua",
            "description": (
                "Agua tibia, un piloto que se apaga o un depósito que necesita tu purga "
                "anual. Calentadores de gas, eléctricos e instantáneos."
            ),
        },
        "fr": {
            "display_name": "Entretien du chauffe-eau",
            "description": (
                "Eau tiède, veilleuse qui s’éteint ou ballon à purger comme chaque année. "
                "Chauffe-eau au gaz, électriques et instantanés."
            ),
        },
        "de": {
            "display_name": "Warmwasserbereiter-Service",
            "description": (
                "Lauwarmes Wasser, eine Zündflamme, die ausgeht, oder ein Speicher, der seine "
                "jährliche Spülung braucht. Gas-, Elektro- und Durchlauferhitzer."
            ),
        },
        "ar": {
            "display_name": "صيانة سخان المياه",
            "description": (
                "ماء فاتر، أو شعلة دليلية تنطفئ، أو خزان يحتاج إلى غسله السنوي. سخانات "
                "الغاز والكهرباء والسخانات الفورية."
            ),
        },
    },
    "Water heater replacement": {
        "es": {
            "display_name": "Sustitución del calentador de agua",
            "description": (
                "Cambio del calentador de agua según nuestro presupuesto, con retirada del viejo."
            ),
        },
        "fr": {
            "display_name": "Remplacement du chauffe-eau",
            "description": (
                "Remplacement du chauffe-eau selon notre devis, enlèvement de l’ancien compris."
            ),
        },
        "de": {
            "display_name": "Austausch des Warmwasserbereiters",
            "description": (
                "Austausch des Warmwasserbereiters nach unserem Angebot, samt Abtransport "
                "des alten."
            ),
        },
        "ar": {
            "display_name": "استبدال سخان المياه",
            "description": "استبدال سخان المياه حسب عرض السعر، مع التخلص من السخان القديم.",
        },
    },
    "Drain cleaning": {
        "es": {
            "display_name": "Desatasco de desagües",
            "description": (
                "Lavabos, bañeras, sumideros y alcantarillado principal lentos u obstruidos."
            ),
        },
        "fr": {
            "display_name": "Débouchage des canalisations",
            "description": (
                "Éviers, baignoires, siphons de sol et égout principal lents ou bouchés."
            ),
        },
        "de": {
            "display_name": "Abflussreinigung",
            "description": (
                "Langsame oder verstopfte Waschbecken, Wannen, Bodenabläufe und Hauptkanäle."
            ),
        },
        "ar": {
            "display_name": "تسليك المجاري",
            "description": "أحواض وبانيوهات ومصارف أرضية وخطوط صرف رئيسية بطيئة أو مسدودة.",
        },
    },
    "Leak or fixture repair": {
        "es": {
            "display_name": "Reparación de fugas o grifería",
            "description": (
                "Grifos que gotean, cisternas que no paran, tuberías con fugas y grifos exteriores."
            ),
        },
        "fr": {
            "display_name": "Réparation de fuite ou de robinetterie",
            "description": (
                "Robinets qui gouttent, chasses d’eau qui coulent, tuyaux qui fuient et "
                "robinets extérieurs."
            ),
        },
        "de": {
            "display_name": "Reparatur von Lecks oder Armaturen",
            "description": (
                "Tropfende Hähne, laufende Toilettenspülungen, undichte Rohre und Außenwasserhähne."
            ),
        },
        "ar": {
            "display_name": "إصلاح تسريب أو تجهيزات صحية",
            "description": ("صنابير تقطر، وسيفونات لا تتوقف، وأنابيب تسرّب، وصنابير خارجية."),
        },
    },
    "Backflow prevention test": {
        "es": {
            "display_name": "Prueba del antirretorno",
            "description": (
                "La prueba anual de tu dispositivo antirretorno, con el informe presentado "
                "por nosotros."
            ),
        },
        "fr": {
            "display_name": "Contrôle du clapet anti-retour",
            "description": (
                "Le contrôle annuel de votre dispositif anti-retour, rapport déposé pour vous."
            ),
        },
        "de": {
            "display_name": "Prüfung des Rückflussverhinderers",
            "description": (
                "Die jährliche Prüfung Ihres Rückflussverhinderers, den Bericht reichen wir "
                "für Sie ein."
            ),
        },
        "ar": {
            "display_name": "اختبار مانع الارتداد",
            "description": "الاختبار السنوي لجهاز منع الارتداد، ونقدّم التقرير نيابةً عنكم.",
        },
    },
    "Electrical troubleshooting": {
        "es": {
            "display_name": "Diagnóstico eléctrico",
            "description": (
                "Interruptores que saltan, enchufes sin corriente o luces que parpadean. "
                "Localizamos la avería y la reparamos con seguridad."
            ),
        },
        "fr": {
            "display_name": "Dépannage électrique",
            "description": (
                "Disjoncteurs qui sautent, prises mortes ou lumières qui clignotent. Nous "
                "trouvons la panne et la réparons en toute sécurité."
            ),
        },
        "de": {
            "display_name": "Elektrische Fehlersuche",
            "description": (
                "Sicherungen, die auslösen, tote Steckdosen oder flackerndes Licht. Wir "
                "finden den Fehler und beheben ihn sicher."
            ),
        },
        "ar": {
            "display_name": "تشخيص الأعطال الكهربائية",
            "description": (
                "قواطع تفصل، أو مقابس بلا كهرباء، أو أضواء ترتعش. نتتبّع العطل ونصلحه بأمان."
            ),
        },
    },
    "Electrical panel upgrade": {
        "es": {
            "display_name": "Renovación del cuadro eléctrico",
            "description": "Cambio de un cuadro eléctrico viejo o lleno según nuestro presupuesto.",
        },
        "fr": {
            "display_name": "Remplacement du tableau électrique",
            "description": (
                "Remplacement d’un tableau électrique ancien ou complet selon notre devis."
            ),
        },
        "de": {
            "display_name": "Erneuerung des Sicherungskastens",
            "description": (
                "Austausch eines alten oder vollen Sicherungskastens nach unserem Angebot."
            ),
        },
        "ar": {
            "display_name": "تحديث لوحة الكهرباء",
            "description": "استبدال لوحة كهرباء قديمة أو ممتلئة حسب عرض السعر.",
        },
    },
    "EV charger installation": {
        "es": {
            "display_name": "Instalación de cargador para coche eléctrico",
            "description": (
                "Instalación de un cargador doméstico para tu coche eléctrico, con un "
                "circuito nuevo desde tu cuadro."
            ),
        },
        "fr": {
            "display_name": "Installation d’une borne de recharge",
            "description": (
                "Installation d’une borne à domicile pour votre voiture électrique, avec un "
                "nouveau circuit depuis votre tableau."
            ),
        },
        "de": {
            "display_name": "Installation einer Wallbox",
            "description": (
                "Installation einer Ladestation für Ihr Elektroauto, mit einem neuen "
                "Stromkreis ab Ihrem Sicherungskasten."
            ),
        },
        "ar": {
            "display_name": "تركيب شاحن سيارة كهربائية",
            "description": (
                "تركيب شاحن منزلي لسيارتكم الكهربائية، مع دائرة جديدة من لوحة الكهرباء."
            ),
        },
    },
    "Appliance repair": {
        "es": {
            "display_name": "Reparación de electrodomésticos",
            "description": "Lavavajillas, frigoríficos, lavadoras, secadoras, cocinas y hornos.",
        },
        "fr": {
            "display_name": "Réparation d’électroménager",
            "description": (
                "Lave-vaisselle, réfrigérateurs, lave-linge, sèche-linge, cuisinières et fours."
            ),
        },
        "de": {
            "display_name": "Gerätereparatur",
            "description": (
                "Geschirrspüler, Kühlschränke, Waschmaschinen, Trockner, Herde und Backöfen."
            ),
        },
        "ar": {
            "display_name": "إصلاح الأجهزة المنزلية",
            "description": "غسالات الصحون والثلاجات والغسالات والمجففات والمواقد والأفران.",
        },
    },
}
